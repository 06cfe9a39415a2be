import NeuroLinkProtocol

/// `POST {base}/api/embed` `{"model", "input": [texts]}` →
/// `{"embeddings": [[floats]], "prompt_eval_count"}` (Ollama's current endpoint; its vectors are
/// already unit length).
extension OllamaAdapter {
    public func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall {
        try ProviderCall.post("/api/embed", json: Body(model: model, input: texts), provider: endpoint.name)
    }

    public func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult {
        let response = try EmbeddingResult.decode(Response.self, from: body, provider: endpoint.name)
        return try EmbeddingResult.checked(
            response.embeddings,
            inputTokens: response.prompt_eval_count?.value,
            count: count,
            provider: endpoint.name
        )
    }

    private struct Body: Encodable {
        var model: String
        var input: [String]
    }

    private struct Response: Decodable {
        var embeddings: [[Float]]
        var prompt_eval_count: TokenCount?
    }
}
