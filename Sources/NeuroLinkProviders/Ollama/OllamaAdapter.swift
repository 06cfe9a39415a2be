import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Ollama's native chat API (`POST /api/chat`), streamed as NDJSON.
///
/// The endpoint's base URL is the server root, e.g. `http://127.0.0.1:11434`, without `/v1`:
/// that prefix is Ollama's OpenAI-compatible API, which ``OpenAIAdapter`` serves. A local server
/// needs no key; Ollama's cloud takes one as a bearer token.
public struct OllamaAdapter: ProviderAdapter {
    public let endpoint: ProviderEndpoint

    /// An adapter for `endpoint`, whatever its ``ProviderEndpoint/type``: the type only chooses the adapter.
    public init(endpoint: ProviderEndpoint) {
        self.endpoint = endpoint
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let call = try ProviderCall.post(
            "/api/chat",
            json: OllamaRequestBody(request),
            accept: "application/x-ndjson",
            provider: endpoint.name
        )
        return callRequest(call, timeouts: timeouts)
    }

    /// `call` below the server root, with the key (Ollama's cloud) as a bearer token.
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) -> HTTPRequest {
        var headers = call.baseHeaders
        if let key = endpoint.apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(key.value)")) }
        return HTTPRequest(
            call,
            url: call.url(root: endpoint.baseURL),
            headers: headers + endpoint.headers,
            timeouts: timeouts
        )
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        OllamaStreamDecoder(provider: endpoint.name)
    }

    /// Ollama's errors are `{"error": "..."}`. A 404 names a model the server does not have, or,
    /// with a plain-text body, a base URL that is not the server root.
    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        guard status == 404 else {
            return HTTPErrorMapping.standardError(provider: endpoint.name, status: status, headers: headers, body: body)
        }
        let detail = HTTPErrorMapping.message(from: body).map {
            Redaction.scrub($0, secrets: endpoint.apiKey.map { [$0] } ?? [])
        }
        let text =
            detail.map { "provider rejected the request (HTTP 404): \($0)" }
            ?? "not found (HTTP 404); is the base URL the server root, without /v1?"
        return RPCError(
            .upstreamInvalidRequest,
            "\(endpoint.name): \(text)",
            data: ErrorData(
                type: .upstreamInvalidRequest,
                upstreamStatus: 404,
                provider: endpoint.name
            )
        )
    }
}
