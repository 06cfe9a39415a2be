import NeuroLinkProtocol

/// Vectors a provider's embedding endpoint returned, one per input text, in input order.
public struct EmbeddingResult: Sendable, Equatable {
    public var vectors: [[Float]]
    /// Input tokens the provider counted, when it says.
    public var inputTokens: Int?

    public init(vectors: [[Float]], inputTokens: Int? = nil) {
        self.vectors = vectors
        self.inputTokens = inputTokens
    }

    /// The most dimensions a vector may have: the largest models in use have 4,096; more is a runaway.
    public static let maxDimensions = 16_384

    /// `vectors` when they answer `count` texts: as many, none empty, all of one length within
    /// ``maxDimensions``, every component finite.
    ///
    /// - Throws: `upstream_bad_response` naming what is wrong.
    static func checked(
        _ vectors: [[Float]],
        inputTokens: Int?,
        count: Int,
        provider: String
    ) throws(RPCError) -> EmbeddingResult {
        func bad(_ detail: String) -> RPCError {
            RPCError(
                .upstreamBadResponse,
                "\(provider): the embedding response \(detail)",
                data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
            )
        }
        guard vectors.count == count else { throw bad("has \(vectors.count) vectors for \(count) texts") }
        let dimensions = vectors.first?.count ?? 0
        guard (1...maxDimensions).contains(dimensions) else { throw bad("has vectors of \(dimensions) dimensions") }
        guard vectors.allSatisfy({ $0.count == dimensions }) else { throw bad("has vectors of different lengths") }
        guard vectors.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { throw bad("has a non-finite component") }
        return EmbeddingResult(vectors: vectors, inputTokens: inputTokens.map { max(0, $0) })
    }

    /// Decodes an embedding response body (see ``ProviderJSON``).
    static func decode<Body: Decodable>(
        _ type: Body.Type,
        from body: [UInt8],
        provider: String
    ) throws(RPCError)
        -> Body
    {
        try ProviderJSON.decode(type, from: body, provider: provider, what: "the embedding response")
    }
}

extension ProviderType {
    /// Whether adapters of this type can call an embedding endpoint
    /// (``ProviderAdapter/embeddingCall(_:model:)``).
    public var hasEmbeddings: Bool {
        switch self {
        case .openai, .openaiCompatible, .azure, .googleAI, .ollama, .bedrock, .vertex: true
        case .anthropic, .sagemaker: false
        }
    }
}

extension ProviderAdapter {
    /// Providers without an embedding endpoint (Anthropic, SageMaker) say so.
    public func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall {
        throw RPCError(.invalidParams, "\(endpoint.name): this provider has no embedding endpoint")
    }

    public func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult {
        throw RPCError(.invalidParams, "\(endpoint.name): this provider has no embedding endpoint")
    }

    /// Texts one call may embed: most endpoints take a list.
    public var embeddingBatchLimit: Int { 256 }
}
