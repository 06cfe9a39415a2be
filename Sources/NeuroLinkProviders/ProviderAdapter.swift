import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol

/// A credential, kept out of every description, log line and error message.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// The wire formats this build speaks (config `type:`; presets such as `groq` map to
/// `openai-compatible`, see ``ProviderCatalog``).
public enum ProviderType: String, Sendable, Hashable, CaseIterable {
    case openai
    case openaiCompatible = "openai-compatible"
    case azure
    case anthropic
    case googleAI = "google-ai"
    case ollama
    /// Amazon Bedrock's ConverseStream API, signed with AWS credentials (see ``BedrockAdapter``).
    case bedrock
    /// Gemini on Vertex AI, with OAuth access tokens from a service account or a command (see ``VertexAdapter``).
    case vertex
    /// A SageMaker endpoint's response stream, signed with AWS credentials (see ``SageMakerAdapter``).
    case sagemaker

    /// The base URL used when the config gives none; `nil` when it must be configured.
    public var defaultBaseURL: String? {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com/v1"
        case .googleAI: "https://generativelanguage.googleapis.com/v1beta"
        case .ollama: "http://127.0.0.1:11434"
        // Bedrock's and SageMaker's hosts depend on the region, Vertex's on the location; the
        // config loader builds them (see ``derivesBaseURL``).
        case .openaiCompatible, .azure, .bedrock, .vertex, .sagemaker: nil
        }
    }

    /// Whether the default base URL is built from other settings (region, location) when the
    /// config gives none, instead of being required.
    public var derivesBaseURL: Bool {
        self == .bedrock || self == .vertex || self == .sagemaker
    }

    /// Where the key is read from when the config names no credential.
    public var defaultKeyEnvironment: [String] {
        switch self {
        case .openai: ["OPENAI_API_KEY"]
        case .anthropic: ["ANTHROPIC_API_KEY"]
        case .googleAI: ProviderCatalog.googleKeyEnvironment
        case .azure: ["AZURE_OPENAI_API_KEY"]
        // Bedrock and SageMaker authenticate with AWS credentials
        // (``AWSCredentials/resolve(environment:profile:)``), Vertex with OAuth access tokens.
        case .openaiCompatible, .ollama, .bedrock, .vertex, .sagemaker: []
        }
    }

    /// Whether requests work without a credential (local servers).
    public var credentialOptional: Bool {
        self == .openaiCompatible || self == .ollama
    }
}

/// One configured provider: where it is and how to authenticate. Never built from request data.
public struct ProviderEndpoint: Sendable, Hashable {
    public var name: String
    public var type: ProviderType
    /// Base URL without a trailing slash, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    public var apiKey: Secret?
    public var defaultModel: String?
    /// Extra headers sent with every request (e.g. `OpenAI-Organization`).
    public var headers: [HTTPHeader]
    /// Type-specific settings from the config (e.g. `api_version` for Azure, `anthropic_version`).
    public var options: [String: String]
    /// AWS credentials for SigV4-signed providers (Bedrock, SageMaker), resolved when the config is loaded.
    public var awsCredentials: AWSCredentials?

    public init(
        name: String,
        type: ProviderType,
        baseURL: String,
        apiKey: Secret?,
        defaultModel: String?,
        headers: [HTTPHeader] = [],
        options: [String: String] = [:],
        awsCredentials: AWSCredentials? = nil
    ) {
        self.options = options
        self.awsCredentials = awsCredentials
        self.name = name
        self.type = type
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.apiKey = apiKey
        self.defaultModel = defaultModel
        self.headers = headers
    }

    /// `host[:port]` of the base URL, safe to show.
    public var host: String {
        var rest = Substring(baseURL)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }  // never show userinfo
        return String(rest.prefix { $0 != "/" && $0 != "?" })
    }
}

/// Translates between the daemon's normalised requests/events and one provider's wire format.
public protocol ProviderAdapter: Sendable {
    var endpoint: ProviderEndpoint { get }
    /// The HTTP request that starts a streamed answer.
    func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest
    /// The HTTP request for a non-streamed call below the provider's API root, with the same
    /// credentials, configured headers, API version and signing as its streams (built by the same
    /// code). Credentials that ``authorize(_:)`` fetches are still to be added before it is sent.
    ///
    /// - Throws: what the provider's configuration lacks for any request (a region, a project),
    ///   as ``httpRequest(for:timeouts:)`` would.
    func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest
    /// A fresh decoder for one response body.
    func makeDecoder() -> any ProviderStreamDecoder
    /// Maps a non-2xx response to a protocol error.
    func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError
    /// The cheap authenticated request that lists the provider's models (also used as a health
    /// probe), or `nil` when the provider has no such endpoint. Adapters build it like
    /// ``callRequest(_:timeouts:)``, on another API root where the provider lists models elsewhere.
    func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest?
    /// Reads a 2xx body of ``modelsRequest(timeouts:)``.
    func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo]
    /// Adds credentials that have to be fetched or refreshed (OAuth access tokens) to a request
    /// built by this adapter, just before it is sent. Static keys are added when the request is built.
    func authorize(_ request: inout HTTPRequest) async throws(RPCError)
    /// The call that embeds `texts` (at most ``embeddingBatchLimit``) with `model` on the
    /// provider's embedding endpoint, built like ``callRequest(_:timeouts:)``.
    ///
    /// - Throws: `invalid_params` when the provider has no embedding endpoint or the model name
    ///   cannot be part of the URL.
    func embeddingCall(_ texts: [String], model: String) throws(RPCError) -> ProviderCall
    /// Reads a 2xx body of ``embeddingCall(_:model:)`` that embedded `count` texts.
    ///
    /// - Throws: `upstream_bad_response` when it is not the documented shape or has the wrong
    ///   number of vectors, vectors of different lengths or non-finite components.
    func parseEmbeddings(_ body: [UInt8], count: Int) throws(RPCError) -> EmbeddingResult
    /// The most texts one ``embeddingCall(_:model:)`` may carry (1 where the endpoint takes one).
    var embeddingBatchLimit: Int { get }
}

extension ProviderAdapter {
    /// Adapters written for streams only make no other calls; every built-in adapter makes them.
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        throw RPCError(.invalidParams, "\(endpoint.name): this provider takes only streamed chat requests")
    }

    /// No listing endpoint unless the adapter provides one, so new adapters compile without it.
    public func modelsRequest(timeouts: TransferTimeouts) -> HTTPRequest? { nil }

    /// Nothing to read when there is no listing endpoint.
    public func parseModels(_ body: [UInt8]) throws(RPCError) -> [ModelInfo] { [] }

    /// Nothing to fetch for providers whose credentials are static.
    public func authorize(_ request: inout HTTPRequest) async throws(RPCError) {}
}

/// Decodes one streamed response body into ``ProviderEvent``s, piece by piece.
public protocol ProviderStreamDecoder {
    mutating func decode(_ bytes: [UInt8], into events: inout [ProviderEvent]) throws(RPCError)
    /// The body ended cleanly; throws when the provider's terminal event never came.
    mutating func finish(into events: inout [ProviderEvent]) throws(RPCError)
}

extension ProviderEndpoint {
    /// The adapter for this endpoint's wire format.
    ///
    /// - Parameter http: the HTTP engine adapters use for requests of their own, such as Vertex's
    ///   access-token requests; without it those requests fail with `upstream_auth`.
    public func makeAdapter(http: CurlLoop? = nil) -> any ProviderAdapter {
        switch type {
        case .openai, .openaiCompatible: OpenAIAdapter(endpoint: self)
        case .azure: AzureOpenAIAdapter(endpoint: self)
        case .anthropic: AnthropicAdapter(endpoint: self)
        case .googleAI: GeminiAdapter(endpoint: self)
        case .ollama: OllamaAdapter(endpoint: self)
        case .bedrock: BedrockAdapter(endpoint: self)
        case .vertex: VertexAdapter(endpoint: self, http: http)
        case .sagemaker: SageMakerAdapter(endpoint: self)
        }
    }
}
