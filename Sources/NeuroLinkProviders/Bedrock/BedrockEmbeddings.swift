import NeuroLinkProtocol

/// Amazon Titan text embeddings through `InvokeModel`: `POST {runtime}/model/{id}/invoke`
/// `{"inputText"}` → `{"embedding": [floats], "inputTextTokenCount"}`, one text per call.
extension BedrockAdapter {
    public func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall {
        guard texts.count == 1, let text = texts.first else {
            throw RPCError(.invalidParams, "\(endpoint.name): Bedrock embeds one text per call")
        }
        guard !model.isEmpty else { throw RPCError(.invalidParams, "\(endpoint.name): a Bedrock model id is required") }
        try ModelPathSegment.validate(model, provider: endpoint.name, allowsSlash: true)
        return try ProviderCall.post(
            "/model/\(SigV4URIEncoding.encode(model))/invoke",
            json: Body(inputText: text),
            provider: endpoint.name
        )
    }

    public func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult {
        let response = try EmbeddingResult.decode(Response.self, from: body, provider: endpoint.name)
        return try EmbeddingResult.checked(
            [response.embedding],
            inputTokens: response.inputTextTokenCount?.value,
            count: count,
            provider: endpoint.name
        )
    }

    public var embeddingBatchLimit: Int { 1 }

    private struct Body: Encodable { var inputText: String }

    private struct Response: Decodable {
        var embedding: [Float]
        var inputTextTokenCount: TokenCount?
    }
}
