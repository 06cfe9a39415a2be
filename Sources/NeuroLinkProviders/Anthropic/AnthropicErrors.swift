import NeuroLinkHTTP
import NeuroLinkProtocol

/// The errors an Anthropic upstream can cause, as protocol errors.
enum AnthropicErrors {
    /// A non-2xx response, whose body is `{"type":"error","error":{"type","message"},"request_id"}`.
    ///
    /// Anthropic uses the status codes the way OpenAI-style APIs do, except for 529, its own
    /// "overloaded" status: the generic mapping would not know it is worth retrying. The
    /// `overloaded_error` type marks the same condition under any status.
    static func http(provider: String, status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        guard status == 529 || HTTPErrorMapping.code(from: body) == "overloaded_error" else {
            return HTTPErrorMapping.standardError(provider: provider, status: status, headers: headers, body: body)
        }
        let summary = "provider overloaded (HTTP \(status))"
        let text = HTTPErrorMapping.message(from: body).map { "\(summary): \($0)" } ?? summary
        return RPCError(
            .upstreamError,
            "\(provider): \(text)",
            data: ErrorData(
                type: .upstreamError,
                retryable: true,
                retryAfterMs: HTTPErrorMapping.retryAfterMs(headers),
                upstreamStatus: status,
                provider: provider
            )
        )
    }

    /// An `error` event inside a stream that began with HTTP 200.
    static func inStream(provider: String, type: String?, message: String?, usage: Usage?) -> RPCError {
        let (errorType, retryable): (ErrorType, Bool) =
            switch type {
            case "overloaded_error", "api_error": (.upstreamError, true)
            case "rate_limit_error": (.rateLimited, true)
            default: (.upstreamError, false)
            }
        let detail = Redaction.scrub("(\((type ?? "unknown").prefix(64))) \((message ?? "no message").prefix(500))")
        return RPCError(
            errorType,
            "\(provider): provider reported an error mid-stream \(detail)",
            data: ErrorData(type: errorType, retryable: retryable, provider: provider, usage: usage)
        )
    }

    /// The body ended without `message_stop`: the answer may be cut short, so the request is worth repeating.
    static func truncated(provider: String, usage: Usage?) -> RPCError {
        RPCError(
            .upstreamError,
            "\(provider): the stream ended before message_stop",
            data: ErrorData(type: .upstreamError, retryable: true, provider: provider, usage: usage)
        )
    }

    /// The stream broke the Messages API's format.
    static func badResponse(provider: String, _ what: String) -> RPCError {
        RPCError(
            .upstreamBadResponse,
            "\(provider): malformed stream: \(what)",
            data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
        )
    }
}
