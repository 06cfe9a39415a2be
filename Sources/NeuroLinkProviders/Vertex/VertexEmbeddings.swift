import NeuroLinkBasics
import NeuroLinkProtocol

/// `POST {location}/publishers/google/models/{model}:predict` `{"instances": [{"content"}]}` →
/// `{"predictions": [{"embeddings": {"values": [floats], "statistics": {"token_count"}}}]}`.
extension VertexAdapter {
    public func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall {
        let segment = try Self.modelSegment(model, provider: endpoint.name)
        return try ProviderCall.post(
            "/publishers/google/models/\(segment):predict",
            json: Body(instances: texts.map { Body.Instance(content: $0) }),
            provider: endpoint.name
        )
    }

    public func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult {
        let response = try EmbeddingResult.decode(Response.self, from: body, provider: endpoint.name)
        let tokens = response.predictions.compactMap { $0.embeddings.statistics?.token_count?.value }
        return try EmbeddingResult.checked(
            response.predictions.map(\.embeddings.values),
            inputTokens: tokens.isEmpty ? nil : tokens.reduce(0) { $0.addingSaturating($1) },
            count: count,
            provider: endpoint.name
        )
    }

    /// `gemini-embedding-001` takes one instance per request (the older text-embedding models more).
    public var embeddingBatchLimit: Int { 1 }

    private struct Body: Encodable {
        var instances: [Instance]
        struct Instance: Encodable { var content: String }
    }

    private struct Response: Decodable {
        var predictions: [Prediction]
        struct Prediction: Decodable { var embeddings: Embeddings }
        struct Embeddings: Decodable {
            var values: [Float]
            var statistics: Statistics?
        }
        struct Statistics: Decodable { var token_count: TokenCount? }
    }
}
