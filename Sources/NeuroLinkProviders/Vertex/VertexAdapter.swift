import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Gemini on Vertex AI (`vertex`): the `google-ai` request body, stream and errors at
/// `POST {base}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:streamGenerateContent?alt=sse`,
/// authenticated with an OAuth access token (`Authorization: Bearer`).
///
/// Endpoint settings it reads (see ``VertexSettings``): `project` and `location` (required; the
/// config loader fills them in), `auth` with the credential in ``ProviderEndpoint/apiKey``, and
/// `token_uri`. Tokens are fetched in ``authorize(_:)``, cached, and refreshed five minutes before
/// they expire; concurrent requests share one refresh.
public struct VertexAdapter: ProviderAdapter {
    public let endpoint: ProviderEndpoint
    /// `nil` when no token source is configured or it cannot be used; ``problem`` says why.
    let tokens: AccessTokenCache?
    let problem: String

    /// - Parameters:
    ///   - http: the engine that posts service-account grants to the token endpoint.
    ///   - clock: the time JWTs are issued at and tokens expire by; injectable for tests.
    public init(endpoint: ProviderEndpoint, http: CurlLoop?, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.init(endpoint: endpoint, post: http.map(TokenEndpointClient.curl), clock: clock)
    }

    init(endpoint: ProviderEndpoint, post: TokenEndpointClient.Post?, clock: @escaping @Sendable () -> Date) {
        self.endpoint = endpoint
        switch VertexTokenSource.make(endpoint, post: post) {
        case .success(let source):
            tokens = AccessTokenCache(clock: clock) { await source.fetch(clock: clock) }
            problem = ""
        case .failure(let failure):
            tokens = nil
            problem = failure.message
        }
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let root = try apiRoot()
        guard !request.model.isEmpty else {
            throw RPCError(.invalidParams, "\(endpoint.name): a Gemini model name is required")
        }
        let body = try GeminiRequestBody(request)
        let model = try Self.modelSegment(request.model, provider: endpoint.name)
        let call = try ProviderCall.post(
            "/publishers/google/models/\(model):streamGenerateContent",
            json: body,
            query: [ProviderCall.QueryItem("alt", "sse")],
            accept: "text/event-stream",
            provider: endpoint.name
        )
        return self.request(call, root: root, timeouts: timeouts)
    }

    /// `call` below the project's location, `{base}/v1/projects/{project}/locations/{location}`
    /// (`/publishers/google/models/{model}:embedContent`, say). The token is added by ``authorize(_:)``.
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        request(call, root: try apiRoot(), timeouts: timeouts)
    }

    /// The project's location under the base URL; project and location are checked, as both become
    /// part of the URL.
    private func apiRoot() throws(RPCError) -> String {
        guard let project = endpoint.options[VertexSettings.Key.project], VertexSettings.isValidProject(project) else {
            throw RPCError(
                .invalidParams,
                "\(endpoint.name): no valid Google Cloud project configured (set project or GOOGLE_CLOUD_PROJECT)"
            )
        }
        let location = endpoint.options[VertexSettings.Key.location] ?? VertexSettings.defaultLocation
        guard let base = serviceURL(location: location) else {
            throw RPCError(.invalidParams, "\(endpoint.name): \"\(location.prefix(40))\" is not a Vertex AI location")
        }
        return base + "/v1/projects/\(SigV4URIEncoding.encode(project))/locations/\(location)"
    }

    /// The configured base URL, or the public endpoint of `location`; `nil` for an invalid location.
    func serviceURL(location: String) -> String? {
        guard VertexSettings.isValidLocation(location) else { return nil }
        return endpoint.baseURL.isEmpty ? VertexSettings.baseURL(location: location) : endpoint.baseURL
    }

    /// `call` below `root` with the configured headers; the bearer token comes in ``authorize(_:)``.
    func request(_ call: ProviderCall, root: String, timeouts: TransferTimeouts) -> HTTPRequest {
        HTTPRequest(call, url: call.url(root: root), headers: call.baseHeaders + endpoint.headers, timeouts: timeouts)
    }

    /// Adds `Authorization: Bearer <token>`, fetching or refreshing the token first when needed.
    public func authorize(_ request: inout HTTPRequest) async throws(RPCError) {
        guard let tokens else { throw TokenFailure(problem).rpcError(provider: endpoint.name) }
        let token: Secret
        do { token = try await tokens.token() } catch { throw error.rpcError(provider: endpoint.name) }
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        request.headers.append(HTTPHeader("Authorization", "Bearer \(token.value)"))
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        GeminiStreamDecoder(provider: endpoint.name)
    }

    /// Gemini's mapping (a bad token is 401 `UNAUTHENTICATED`). A 401 also drops the cached
    /// token, so the next request fetches a new one instead of repeating a revoked one.
    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        if status == 401, let tokens { Task { await tokens.invalidate() } }
        return GeminiErrorMapping.error(
            provider: endpoint.name,
            status: status,
            headers: headers,
            body: body,
            secrets: endpoint.apiKey.map { [$0] } ?? []
        )
    }

    /// The model as one path segment: a bare name, or Google's resource names
    /// `publishers/google/models/…` and `models/…`, escaped so it can add no path or query.
    static func modelSegment(_ model: String, provider: String) throws(RPCError) -> String {
        let prefix = "publishers/google/models/"
        return try GeminiAdapter.pathSegment(
            model.hasPrefix(prefix) ? String(model.dropFirst(prefix.count)) : model,
            provider: provider
        )
    }
}
