import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol

/// The errors a SageMaker runtime can cause, as protocol errors.
///
/// Like Bedrock, SageMaker names its errors — `x-amzn-ErrorType` before the stream,
/// `:exception-type` inside it — and the name decides the mapping. Names SageMaker does not use
/// itself (throttling, authentication) are AWS-wide and classified as for Bedrock.
enum SageMakerErrors {
    /// How a named error is reported. `ModelError` wraps the container's own answer: a 4xx from
    /// the container means the request was refused, anything else that the model failed.
    static func classify(_ name: String, originalStatus: Int?) -> (ErrorType, retryable: Bool)? {
        switch name.lowercased() {
        case "validationerror":
            (.upstreamInvalidRequest, false)
        case "modelerror":
            (400..<500).contains(originalStatus ?? 0) ? (.upstreamInvalidRequest, false) : (.upstreamError, true)
        case "internalfailure", "serviceunavailable", "modelstreamerror", "internalstreamfailure",
            "internaldependencyexception":
            (.upstreamError, true)
        default:
            BedrockErrors.classify(name)
        }
    }

    /// A non-2xx response: the name from `x-amzn-ErrorType` (or the body's `__type`), the text
    /// from the body's `message`/`Message`, and for `ModelError` the container's `OriginalMessage`.
    static func http(provider: String, status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let rawName = headers.first(named: "x-amzn-errortype") ?? object?["__type"] as? String ?? ""
        // `Name:namespace-url` in the header, `namespace#Name` in the body.
        let name = String(rawName.prefix { $0 != ":" }.split(separator: "#").last ?? "").trimmingCharacters(
            in: .whitespaces
        )
        let originalStatus = object?["OriginalStatusCode"] as? Int
        let classified: (ErrorType, retryable: Bool)? =
            status == 403 ? (.upstreamAuth, false) : classify(name, originalStatus: originalStatus)
        guard let (type, retryable) = classified else {
            return HTTPErrorMapping.standardError(provider: provider, status: status, headers: headers, body: body)
        }
        let text = [object?["message"] ?? object?["Message"], object?["OriginalMessage"]].compactMap { $0 as? String }
            .filter { !$0.isEmpty }.joined(separator: " — ")
        let summary = name.isEmpty ? "HTTP \(status)" : "\(name.prefix(64)) (HTTP \(status))"
        return HTTPErrorMapping.upstreamError(
            type,
            provider: provider,
            status: status,
            summary: summary,
            detail: text.isEmpty ? nil : Redaction.scrub(String(text.prefix(500))),
            retryable: retryable,
            retryAfterMs: HTTPErrorMapping.retryAfterMs(headers)
        )
    }

    /// An exception message inside a stream that began with HTTP 200.
    static func inStream(provider: String, name: String?, message: String?, code: String?) -> RPCError {
        let (type, retryable) = name.flatMap { classify($0, originalStatus: nil) } ?? (.upstreamError, false)
        let label = [name, code].compactMap { $0?.prefix(64) }.joined(separator: " ")
        let detail = Redaction.scrub("(\(label.isEmpty ? "unknown" : label)) \((message ?? "no message").prefix(500))")
        return RPCError(
            type,
            "\(provider): provider reported an error mid-stream \(detail)",
            data: ErrorData(type: type, retryable: retryable, provider: provider)
        )
    }

    /// The body broke the event-stream framing.
    static func badResponse(provider: String, _ what: String) -> RPCError {
        RPCError(
            .upstreamBadResponse,
            "\(provider): malformed stream: \(what)",
            data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
        )
    }
}
