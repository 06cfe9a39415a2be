import NeuroLinkProtocol

/// Decides the ``FailureClass`` of a failed upstream attempt, which in turn decides whether it is
/// retried, failed over, counted against the member, or sent to the client as is.
///
/// An adapter that knows better (an overloaded or context-length error under a generic status)
/// sets `error.data.failureClass`, which always wins. Otherwise, in this order:
///
/// | evidence | class |
/// |---|---|
/// | type `timeout`, a `timeout` phase, or HTTP 408 | `timeout` |
/// | type `upstream_auth`, HTTP 401/403 | `auth` |
/// | type `rate_limited` or HTTP 429, marked non-retryable or worded as exhausted quota/credit | `quota_exhausted` |
/// | type `rate_limited` or HTTP 429 otherwise | `rate_limited` |
/// | HTTP 503 or 529, or a 5xx / status-less upstream error saying "overloaded" | `overloaded` |
/// | other HTTP 5xx | `server` |
/// | HTTP 400/404/409/413/415/422 (any other 4xx too), or an invalid-request type | `context_length` / `content_filter` by wording, else `invalid_request` |
/// | type `upstream_bad_response` | `server`: the connection worked but the provider sent something unusable, which is the member's fault, not the network's |
/// | status-less `upstream_error` (connection refused or dropped, stream cut short, error event mid-stream) | by wording as above, else `network` when retryable, else `invalid_request` |
/// | anything else | `server` when the error is retryable, else `invalid_request` |
public enum FailureClassifier {
    /// The class of `error`.
    public static func classify(_ error: RPCError) -> FailureClass {
        if let explicit = error.data.failureClass { return explicit }
        let data = error.data
        let text = error.message.lowercased()
        let status = data.upstreamStatus

        if data.type == .timeout || data.timeout != nil || status == 408 { return .timeout }
        if data.type == .upstreamAuth || status == 401 || status == 403 { return .auth }
        if data.type == .rateLimited || status == 429 {
            return !data.retryable || FailureMarkers.quota.matches(text) ? .quotaExhausted : .rateLimited
        }
        if status == 503 || status == 529 { return .overloaded }
        if let status, (500...599).contains(status) {
            return FailureMarkers.overloaded.matches(text) ? .overloaded : .server
        }
        if let status, (400...499).contains(status) { return requestSide(text) }
        switch data.type {
        case .upstreamInvalidRequest, .invalidRequest, .invalidParams:
            return requestSide(text)
        case .upstreamBadResponse:
            return .server
        case .upstreamError where status == nil:
            return statuslessUpstream(text, retryable: data.retryable)
        default:
            return data.retryable ? .server : .invalidRequest
        }
    }

    /// How long the provider asked to wait (`retry-after` / `retry-after-ms`), if it did.
    public static func retryAfter(_ error: RPCError) -> Duration? {
        error.data.retryAfterMs.map { .milliseconds(max(0, $0)) }
    }

    /// A request the provider refused: too long, filtered, or otherwise invalid.
    static func requestSide(_ text: String) -> FailureClass {
        if FailureMarkers.contextLength.matches(text) { return .contextLength }
        if FailureMarkers.contentFilter.matches(text) { return .contentFilter }
        return .invalidRequest
    }

    /// An upstream error without an HTTP status: the connection failed, the stream was cut short,
    /// or the provider reported an error inside a stream that began with 200 and so only its
    /// wording tells what happened.
    static func statuslessUpstream(_ text: String, retryable: Bool) -> FailureClass {
        if FailureMarkers.contextLength.matches(text) { return .contextLength }
        if FailureMarkers.contentFilter.matches(text) { return .contentFilter }
        if FailureMarkers.overloaded.matches(text) { return .overloaded }
        if FailureMarkers.quota.matches(text) { return .quotaExhausted }
        if FailureMarkers.rateLimit.matches(text) { return .rateLimited }
        // The adapter's own judgement: a non-retryable mid-stream error is about the request.
        return retryable ? .network : .invalidRequest
    }
}
