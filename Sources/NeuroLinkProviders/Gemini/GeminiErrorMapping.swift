import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Maps Gemini's error responses, google.rpc status objects, to protocol errors.
///
/// Google puts what other providers say in headers into the body: a bad key is a 400 told apart
/// only by its `ErrorInfo.reason`, and the wait after a 429 is a `RetryInfo.retryDelay`.
enum GeminiErrorMapping {
    static func error(
        provider: String,
        status: Int,
        headers: [HTTPHeader],
        body: [UInt8],
        secrets: [Secret]
    ) -> RPCError {
        let rpc = rpcStatus(body)
        let detail = (rpc?.message ?? HTTPErrorMapping.message(from: body))
            .map { Redaction.scrub(String($0.prefix(500)), secrets: secrets) }
        let label = statusLabel(status, rpc?.status)
        func make(_ type: ErrorType, _ summary: String, retryable: Bool? = nil, retryAfterMs: Int? = nil) -> RPCError {
            HTTPErrorMapping.upstreamError(
                type,
                provider: provider,
                status: status,
                summary: summary,
                detail: detail,
                retryable: retryable,
                retryAfterMs: retryAfterMs
            )
        }
        let retryAfterMs = retryDelayMs(rpc?.retryDelay) ?? HTTPErrorMapping.retryAfterMs(headers)
        switch status {
        case 400 where rpc?.errorInfoReason == "API_KEY_INVALID":
            return make(.upstreamAuth, "provider rejected the API key (\(label))")
        case 401, 403:
            return make(.upstreamAuth, "provider rejected the credentials (\(label))")
        case 429:
            return make(
                .rateLimited,
                "provider rate limit or quota (\(label))",
                retryable: true,
                retryAfterMs: retryAfterMs
            )
        case 408:
            return make(.upstreamError, "provider timed out the request (\(label))", retryable: true)
        case 500...599:
            return make(.upstreamError, "provider error (\(label))", retryable: true, retryAfterMs: retryAfterMs)
        case 400, 404, 409, 413, 415, 422:
            return make(.upstreamInvalidRequest, "provider rejected the request (\(label))")
        default:
            return make(.upstreamError, "unexpected \(label)", retryable: false)
        }
    }

    /// The status object of `{"error": {...}}`, or of the first element of `[{"error": {...}}]`,
    /// which is how errors arrive when a stream is requested without `alt=sse`.
    static func rpcStatus(_ body: [UInt8]) -> GoogleRPCStatus? {
        struct Envelope: Decodable { var error: GoogleRPCStatus? }
        let decoder = JSONDecoder()
        if let envelope = try? decoder.decode(Envelope.self, from: Data(body)) { return envelope.error }
        return (try? decoder.decode([Envelope].self, from: Data(body)))?.first?.error
    }

    /// Milliseconds of a protobuf Duration in JSON (`"13s"`, `"1.5s"`), capped like header hints.
    static func retryDelayMs(_ duration: String?) -> Int? {
        guard let duration, duration.hasSuffix("s"), let seconds = Double(duration.dropLast()) else { return nil }
        return HTTPErrorMapping.capped(seconds * 1000)
    }

    /// `HTTP 429 RESOURCE_EXHAUSTED`; the canonical name is shown only when it looks like one,
    /// since it comes from the response.
    private static func statusLabel(_ status: Int, _ name: String?) -> String {
        guard let name, !name.isEmpty, name.count <= 40,
            name.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || $0 == "_" })
        else { return "HTTP \(status)" }
        return "HTTP \(status) \(name)"
    }
}
