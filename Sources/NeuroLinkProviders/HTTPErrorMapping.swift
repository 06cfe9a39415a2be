import Foundation
import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkProtocol

/// Reading provider error responses: retry hints and a safe, short message.
public enum HTTPErrorMapping {
    /// Milliseconds to wait from `retry-after-ms`, or `retry-after` (seconds or an HTTP date).
    /// Values are clamped to 0 through ``maxRetryAfterMs``: a provider's header must never overflow
    /// anything. Larger values (`1e300`, `inf`, 30 digits) give the maximum; negative values, NaN
    /// and anything unparsable are ignored (`retry-after-ms` then falls back to `retry-after`).
    public static func retryAfterMs(_ headers: [HTTPHeader], now: Date = Date()) -> Int? {
        if let ms = headers.first(named: "retry-after-ms").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
            let capped = capped(ms)
        {
            return capped
        }
        guard let value = headers.first(named: "retry-after")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return capped(seconds * 1000) }
        // An HTTP date is 29 ASCII characters. Foundation's DateFormatter traps on some non-ASCII
        // input (found by fuzz-headers), so nothing else reaches it.
        guard value.utf8.count <= 64, value.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return capped(max(0, date.timeIntervalSince(now) * 1000))
    }

    /// The longest wait a retry hint may ask for: one day.
    public static let maxRetryAfterMs = 86_400_000

    /// `milliseconds` clamped to `0...maxRetryAfterMs`; `nil` for NaN and negative values.
    static func capped(_ milliseconds: Double) -> Int? {
        guard milliseconds >= 0 else { return nil }  // false for NaN too
        return min(Int(saturating: milliseconds, rounding: .up), maxRetryAfterMs)
    }

    /// The provider's own error message from a JSON error body, cut short and scrubbed of key-like
    /// tokens, or a generic description when the body has none.
    public static func message(from body: [UInt8]) -> String? {
        guard !body.isEmpty, let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return nil
        }
        let error = json["error"]
        let text = (error as? [String: Any])?["message"] as? String ?? error as? String ?? json["message"] as? String
        return text.map { Redaction.scrub(String($0.prefix(500))) }
    }

    /// The provider's machine-readable error code or type, when the body has one.
    public static func code(from body: [UInt8]) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = json["error"] as? [String: Any]
        else { return nil }
        return error["code"] as? String ?? error["type"] as? String
    }

    /// The error for a provider's non-2xx answer: `"<provider>: <summary>: <detail>"` (without the
    /// detail when there is none), with the status and the provider in its data.
    public static func upstreamError(
        _ type: ErrorType,
        provider: String,
        status: Int,
        summary: String,
        detail: String?,
        retryable: Bool? = nil,
        retryAfterMs: Int? = nil
    ) -> RPCError {
        let text = detail.map { "\(summary): \($0)" } ?? summary
        return RPCError(
            type,
            "\(provider): \(text)",
            data: ErrorData(
                type: type,
                retryable: retryable,
                retryAfterMs: retryAfterMs,
                upstreamStatus: status,
                provider: provider
            )
        )
    }

    /// Maps a status code to an error the way every OpenAI-style API uses them.
    public static func standardError(provider: String, status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        let detail = message(from: body)
        let code = self.code(from: body)
        func make(_ type: ErrorType, _ summary: String, retryable: Bool? = nil, retryAfterMs: Int? = nil) -> RPCError {
            upstreamError(
                type,
                provider: provider,
                status: status,
                summary: summary,
                detail: detail,
                retryable: retryable,
                retryAfterMs: retryAfterMs
            )
        }
        switch status {
        case 401, 403:
            return make(.upstreamAuth, "provider rejected the credentials (HTTP \(status))")
        case 429:
            let quota = code == "insufficient_quota"
            return make(
                .rateLimited,
                quota ? "provider quota exhausted (HTTP 429)" : "provider rate limit (HTTP 429)",
                retryable: !quota,
                retryAfterMs: retryAfterMs(headers)
            )
        case 408:
            return make(.upstreamError, "provider timed out the request (HTTP 408)", retryable: true)
        case 400, 404, 409, 413, 415, 422:
            return make(.upstreamInvalidRequest, "provider rejected the request (HTTP \(status))")
        case 500...599:
            return make(
                .upstreamError,
                "provider error (HTTP \(status))",
                retryable: true,
                retryAfterMs: retryAfterMs(headers)
            )
        default:
            return make(.upstreamError, "unexpected HTTP status \(status)", retryable: false)
        }
    }
}

/// Removes credential-like tokens from text that came from a provider before it goes anywhere.
public enum Redaction {
    /// Replaces key-looking tokens (`sk-…`, long opaque strings after `key`) with `[redacted]`.
    public static func scrub(_ text: String, secrets: [Secret] = []) -> String {
        var result = text
        for secret in secrets where secret.value.count >= 4 {
            result = result.replacingOccurrences(of: secret.value, with: "[redacted]")
        }
        guard
            let regex = try? NSRegularExpression(
                pattern: #"\b(sk|pk|rk|key)-[A-Za-z0-9_\-\*]{6,}|\b[A-Za-z0-9_\-]{32,}\b"#
            )
        else {
            return result
        }
        let range = NSRange(result.startIndex..., in: result)
        return regex.stringByReplacingMatches(in: result, range: range, withTemplate: "[redacted]")
    }
}
