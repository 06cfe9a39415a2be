import NeuroLinkProtocol

/// `POST {base}/embeddings` `{"model", "input": [texts], "encoding_format": "float"}` →
/// `{"data": [{"index", "embedding": [floats]}], "usage": {"prompt_tokens"}}`: OpenAI and every
/// server that speaks its format (vLLM, llama.cpp, LM Studio, Ollama's `/v1`).
extension OpenAIAdapter {
    public func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall {
        try ProviderCall.post(
            "/embeddings",
            json: OpenAIEmbeddingBody(model: model, input: texts),
            provider: endpoint.name
        )
    }

    public func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult {
        try OpenAIEmbeddingBody.parse(body, count: count, provider: endpoint.name)
    }

    public var embeddingBatchLimit: Int { 2048 }
}

/// Azure's deployments take the same body below `/openai/deployments/{model}/embeddings`: the
/// model names the embedding deployment (not the chat `deployment` option).
extension AzureOpenAIAdapter {
    public func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall {
        let deployment = try ModelPathSegment.encoded(model, provider: endpoint.name, allowsSlash: false)
        return try ProviderCall.post(
            "/openai/deployments/\(deployment)/embeddings",
            json: OpenAIEmbeddingBody(model: nil, input: texts),
            provider: endpoint.name
        )
    }

    public func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult {
        try OpenAIEmbeddingBody.parse(body, count: count, provider: endpoint.name)
    }

    public var embeddingBatchLimit: Int { 2048 }
}

struct OpenAIEmbeddingBody: Encodable {
    var model: String?
    var input: [String]
    var encoding_format = "float"

    struct Response: Decodable {
        var data: [Entry]
        var usage: Usage?
        struct Entry: Decodable {
            var index: Int?
            var embedding: [Float]
        }
        struct Usage: Decodable { var prompt_tokens: TokenCount? }
    }

    /// The vectors in input order (`index`, where the server gives it).
    static func parse(_ body: [UInt8], count: Int, provider: String) throws(RPCError) -> EmbeddingResult {
        let response = try EmbeddingResult.decode(Response.self, from: body, provider: provider)
        let ordered = response.data.enumerated().sorted {
            ($0.element.index ?? $0.offset) < ($1.element.index ?? $1.offset)
        }
        return try EmbeddingResult.checked(
            ordered.map(\.element.embedding),
            inputTokens: response.usage?.prompt_tokens?.value,
            count: count,
            provider: provider
        )
    }
}
