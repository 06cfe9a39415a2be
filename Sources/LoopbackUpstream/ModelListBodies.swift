/// Model-listing bodies in the non-OpenAI providers' shapes, all naming `loop-model` like
/// ``OpenAIWireFormat/modelsList``.
enum ModelListBodies {
    /// `GET /v1beta/models` (Gemini), plus a model that cannot generate, which adapters leave out.
    static let gemini =
        #"{"models":[{"name":"models/loop-model","displayName":"Loop Model","supportedGenerationMethods":["generateContent","streamGenerateContent"]},"#
        + #"{"name":"models/loop-embedding","supportedGenerationMethods":["embedContent"]}]}"#

    /// `GET /api/tags` (Ollama).
    static let ollama = #"{"models":[{"name":"loop-model","model":"loop-model","size":1}]}"#
}
