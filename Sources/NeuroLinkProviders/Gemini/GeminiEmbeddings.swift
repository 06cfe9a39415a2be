import NeuroLinkProtocol

/// One text: `POST {base}/models/{model}:embedContent` `{"content": {"parts": [{"text"}]}}` →
/// `{"embedding": {"values": [floats]}}`; several: `:batchEmbedContents` with one such request per
/// text (each naming `models/{model}`) → `{"embeddings": [{"values"}]}`.
extension GeminiAdapter {
    public func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall {
        let segment = try Self.pathSegment(model, provider: endpoint.name)
        if texts.count == 1, let text = texts.first {
            return try ProviderCall.post(
                "/models/\(segment):embedContent",
                json: ContentRequest(model: nil, content: .init(text)),
                provider: endpoint.name
            )
        }
        let name = "models/" + (model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model)
        return try ProviderCall.post(
            "/models/\(segment):batchEmbedContents",
            json: BatchRequest(requests: texts.map { ContentRequest(model: name, content: .init($0)) }),
            provider: endpoint.name
        )
    }

    public func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult {
        let provider = endpoint.name
        guard count != 1 else {
            let single = try EmbeddingResult.decode(SingleResponse.self, from: body, provider: provider)
            return try EmbeddingResult.checked(
                [single.embedding.values],
                inputTokens: nil,
                count: 1,
                provider: provider
            )
        }
        let batch = try EmbeddingResult.decode(BatchResponse.self, from: body, provider: provider)
        return try EmbeddingResult.checked(
            batch.embeddings.map(\.values),
            inputTokens: nil,
            count: count,
            provider: provider
        )
    }

    /// `batchEmbedContents` takes at most 100 requests.
    public var embeddingBatchLimit: Int { 100 }

    private struct ContentRequest: Encodable {
        var model: String?
        var content: Content
        struct Content: Encodable {
            var parts: [Part]
            init(_ text: String) { parts = [Part(text: text)] }
        }
        struct Part: Encodable { var text: String }
    }

    private struct BatchRequest: Encodable { var requests: [ContentRequest] }
    private struct Values: Decodable { var values: [Float] }
    private struct SingleResponse: Decodable { var embedding: Values }
    private struct BatchResponse: Decodable { var embeddings: [Values] }
}
