import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol

/// Anthropic's Messages API (`POST {baseURL}/messages`), streamed.
///
/// Endpoint options it reads:
/// - `anthropic_version`: the `anthropic-version` header, default ``defaultAPIVersion``;
/// - `default_max_tokens`: `max_tokens` when a request sets none, default ``defaultMaxTokens``;
/// - `structured_output`: `auto` (default), `native` or `instruction` (``AnthropicStructuredOutput``).
///
/// The endpoint's `type` is not consulted: whatever routes a provider here decides the format.
public struct AnthropicAdapter: ProviderAdapter {
    /// The `anthropic-version` sent when the endpoint does not set `anthropic_version`.
    public static let defaultAPIVersion = "2023-06-01"
    /// `max_tokens` when neither the request nor the endpoint's `default_max_tokens` gives one;
    /// Anthropic, unlike most providers, requires the field.
    public static let defaultMaxTokens = 4096

    public let endpoint: ProviderEndpoint

    /// An adapter for `endpoint`, whose `baseURL` is the API root (e.g. `https://api.anthropic.com/v1`).
    public init(endpoint: ProviderEndpoint) {
        self.endpoint = endpoint
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let body = try AnthropicRequestBody(
            request,
            maxTokens: request.maxTokens ?? configuredMaxTokens ?? Self.defaultMaxTokens,
            structuredOutput: structuredOutput
        )
        let call = try ProviderCall.post("/messages", json: body, accept: "text/event-stream", provider: endpoint.name)
        return callRequest(call, timeouts: timeouts)
    }

    /// `call` below the API root, with `anthropic-version` and the key in `x-api-key`.
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) -> HTTPRequest {
        var headers =
            call.baseHeaders + [
                HTTPHeader("anthropic-version", endpoint.options["anthropic_version"] ?? Self.defaultAPIVersion)
            ]
        if let key = endpoint.apiKey { headers.append(HTTPHeader("x-api-key", key.value)) }
        // A configured header replaces the built-in one of the same name instead of being sent twice
        // (e.g. `authorization` for OAuth is simply added, an explicit `anthropic-version` wins).
        let configured = Set(endpoint.headers.map { $0.name.lowercased() })
        headers.removeAll { configured.contains($0.name.lowercased()) }
        return HTTPRequest(
            call,
            url: call.url(root: endpoint.baseURL),
            headers: headers + endpoint.headers,
            timeouts: timeouts
        )
    }

    /// `structured_output` from the endpoint's options; the loader accepts only valid values.
    private var structuredOutput: AnthropicStructuredOutput {
        endpoint.options[AnthropicStructuredOutput.optionKey].flatMap(AnthropicStructuredOutput.init(rawValue:))
            ?? .auto
    }

    /// `default_max_tokens` from the endpoint's options, when it is a positive integer.
    private var configuredMaxTokens: Int? {
        guard let text = endpoint.options["default_max_tokens"],
            let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0
        else { return nil }
        return value
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        AnthropicStreamDecoder(provider: endpoint.name)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        AnthropicErrors.http(provider: endpoint.name, status: status, headers: headers, body: body)
    }
}
