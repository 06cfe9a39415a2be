import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Azure OpenAI: the OpenAI stream format behind a deployment path, `api-version` and an
/// `api-key` header. Its first event carries only `prompt_filter_results` with empty choices,
/// which the OpenAI decoder already passes over.
public struct AzureOpenAIAdapter: ProviderAdapter {
    public let endpoint: ProviderEndpoint

    /// Used when the config sets no `api_version`.
    public static let defaultAPIVersion = "2024-10-21"

    public init(endpoint: ProviderEndpoint) {
        self.endpoint = endpoint
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let call = ProviderCall.post(
            try deploymentPath(model: request.model) + "/chat/completions",
            body: OpenAIRequestBody(request, useMaxCompletionTokens: false),
            accept: "text/event-stream",
            provider: endpoint.name
        )
        return callRequest(call, timeouts: timeouts)
    }

    /// `call` below the resource's base URL (paths start with `/openai/`), with `api-version` and the
    /// key in the `api-key` header.
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) -> HTTPRequest {
        let version = endpoint.options["api_version"] ?? Self.defaultAPIVersion
        var headers = call.baseHeaders
        if let key = endpoint.apiKey { headers.append(HTTPHeader("api-key", key.value)) }
        return HTTPRequest(
            call,
            url: call.url(root: endpoint.baseURL, leading: [ProviderCall.QueryItem("api-version", version)]),
            headers: headers + endpoint.headers,
            timeouts: timeouts
        )
    }

    /// `/openai/deployments/{name}` for a request's model: the configured deployment, or without
    /// one the model, which then names it.
    func deploymentPath(model: String) throws(RPCError) -> String {
        let deployment = endpoint.options["deployment"] ?? model
        return "/openai/deployments/"
            + (try ModelPathSegment.encoded(deployment, provider: endpoint.name, allowsSlash: false))
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        OpenAIStreamDecoder(provider: endpoint.name)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        HTTPErrorMapping.standardError(provider: endpoint.name, status: status, headers: headers, body: body)
    }
}
