import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Google Gemini through the Generative Language API (`google-ai`), streamed as SSE.
///
/// The endpoint's base URL includes the API version, e.g.
/// `https://generativelanguage.googleapis.com/v1beta`. The key travels in the `x-goog-api-key`
/// header only: the API also takes it as `?key=`, but URLs end up in logs.
public struct GeminiAdapter: ProviderAdapter {
    public let endpoint: ProviderEndpoint

    /// An adapter for `endpoint`, whatever its ``ProviderEndpoint/type``: the type only chooses the adapter.
    public init(endpoint: ProviderEndpoint) {
        self.endpoint = endpoint
    }

    /// Throws `invalid_params` when a tool result answers no tool call of an earlier assistant
    /// message, since Gemini needs the called function's name.
    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let body = try GeminiRequestBody(request)
        let model = try Self.pathSegment(request.model, provider: endpoint.name)
        let call = try ProviderCall.post(
            "/models/\(model):streamGenerateContent",
            json: body,
            query: [ProviderCall.QueryItem("alt", "sse")],
            accept: "text/event-stream",
            provider: endpoint.name
        )
        return callRequest(call, timeouts: timeouts)
    }

    /// `call` below the versioned base URL, with the key in `x-goog-api-key` (never `?key=`).
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) -> HTTPRequest {
        var headers = call.baseHeaders
        if let key = endpoint.apiKey { headers.append(HTTPHeader("x-goog-api-key", key.value)) }
        return HTTPRequest(
            call,
            url: call.url(root: endpoint.baseURL),
            headers: headers + endpoint.headers,
            timeouts: timeouts
        )
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        GeminiStreamDecoder(provider: endpoint.name)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        GeminiErrorMapping.error(
            provider: endpoint.name,
            status: status,
            headers: headers,
            body: body,
            secrets: endpoint.apiKey.map { [$0] } ?? []
        )
    }

    /// The model as one path segment. Google's own resource name (`models/gemini-…`) is accepted
    /// too; what remains is checked and escaped by ``ModelPathSegment``, so a model name can never
    /// add path segments or a query to the URL.
    static func pathSegment(_ model: String, provider: String) throws(RPCError) -> String {
        let name = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        return try ModelPathSegment.encoded(name, provider: provider, allowsSlash: false)
    }
}
