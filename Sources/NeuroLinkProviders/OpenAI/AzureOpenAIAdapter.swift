import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol

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
        let encoded: Data
        do { encoded = try JSONEncoder().encode(OpenAIRequestBody(request, useMaxCompletionTokens: false)) } catch {
            throw RPCError(.internal, "could not encode the request for \(endpoint.name)")
        }
        // The deployment picks the model; without a configured one the request's model names it.
        let deployment = endpoint.options["deployment"] ?? request.model
        let path = try ModelPathSegment.encoded(deployment, provider: endpoint.name, allowsSlash: false)
        let version = endpoint.options["api_version"] ?? Self.defaultAPIVersion
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "text/event-stream")]
        if let key = endpoint.apiKey { headers.append(HTTPHeader("api-key", key.value)) }
        headers += endpoint.headers
        return HTTPRequest(
            method: "POST",
            url: "\(endpoint.baseURL)/openai/deployments/\(path)/chat/completions?api-version=\(version)",
            headers: headers,
            body: Array(encoded),
            timeouts: timeouts
        )
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        OpenAIStreamDecoder(provider: endpoint.name)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        HTTPErrorMapping.standardError(provider: endpoint.name, status: status, headers: headers, body: body)
    }
}
