import NeuroLinkHTTP
import NeuroLinkProtocol

/// The errors a Bedrock upstream can cause, as protocol errors.
///
/// Bedrock names its errors (`ThrottlingException`, …) in the `x-amzn-ErrorType` response header
/// and, inside a stream, in the `:exception-type` message header. The name decides the mapping;
/// the HTTP status is only the fallback for names not listed here.
enum BedrockErrors {
    /// How a named AWS error is reported: its type and whether repeating the request may help.
    static func classify(_ name: String) -> (ErrorType, retryable: Bool)? {
        switch name.lowercased() {
        case "throttlingexception", "toomanyrequestsexception":
            (.rateLimited, true)
        case "serviceunavailableexception", "internalserverexception", "modelstreamerrorexception",
            "modeltimeoutexception", "modelnotreadyexception":
            (.upstreamError, true)
        case "validationexception", "resourcenotfoundexception", "servicequotaexceededexception":
            (.upstreamInvalidRequest, false)
        case "accessdeniedexception", "unrecognizedclientexception", "invalidsignatureexception",
            "missingauthenticationtokenexception", "expiredtokenexception":
            (.upstreamAuth, false)
        default:
            nil
        }
    }

    /// A non-2xx response: header `x-amzn-ErrorType: <Name>:<namespace URL>`, body `{"message": …}`.
    static func http(provider: String, status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        let name = headers.first(named: "x-amzn-errortype").map { String($0.prefix { $0 != ":" }).trimmingSpaces } ?? ""
        // 403 is always an authentication problem, whatever the name says (AWS uses several).
        let classified: (ErrorType, retryable: Bool)? = status == 403 ? (.upstreamAuth, false) : classify(name)
        guard let (type, retryable) = classified else {
            return HTTPErrorMapping.standardError(provider: provider, status: status, headers: headers, body: body)
        }
        let summary = name.isEmpty ? "HTTP \(status)" : "\(name.prefix(64)) (HTTP \(status))"
        return HTTPErrorMapping.upstreamError(
            type,
            provider: provider,
            status: status,
            summary: summary,
            detail: HTTPErrorMapping.message(from: body),
            retryable: retryable,
            retryAfterMs: HTTPErrorMapping.retryAfterMs(headers)
        )
    }

    /// An exception message inside a stream that began with HTTP 200.
    static func inStream(provider: String, name: String?, message: String?, usage: Usage?) -> RPCError {
        let (type, retryable) = name.flatMap(classify) ?? (.upstreamError, false)
        let detail = Redaction.scrub("(\((name ?? "unknown").prefix(64))) \((message ?? "no message").prefix(500))")
        return RPCError(
            type,
            "\(provider): provider reported an error mid-stream \(detail)",
            data: ErrorData(type: type, retryable: retryable, provider: provider, usage: usage)
        )
    }

    /// The body ended before `messageStop`: the answer may be cut short, so it is worth repeating.
    static func truncated(provider: String, usage: Usage?) -> RPCError {
        RPCError(
            .upstreamError,
            "\(provider): the stream ended before messageStop",
            data: ErrorData(type: .upstreamError, retryable: true, provider: provider, usage: usage)
        )
    }

    /// The stream broke the event-stream framing or the ConverseStream event shapes.
    static func badResponse(provider: String, _ what: String) -> RPCError {
        RPCError(
            .upstreamBadResponse,
            "\(provider): malformed stream: \(what)",
            data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
        )
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
