/// Phrases providers use in error messages for conditions their status codes do not tell apart
/// (a context-length error and a malformed request are both 400). Matched against lower-cased text.
struct FailureMarkers: Sendable {
    let phrases: [String]

    func matches(_ lowercased: String) -> Bool {
        phrases.contains { lowercased.contains($0) }
    }

    static let contextLength = FailureMarkers(phrases: [
        "context length", "context_length", "context window", "maximum context", "too many tokens",
        "prompt is too long", "input is too long", "reduce the length", "token limit",
    ])

    /// Deliberately not the bare word "safety": Gemini rejects malformed `safety_settings` with it.
    static let contentFilter = FailureMarkers(phrases: [
        "content filter", "content_filter", "content policy", "content_policy", "content management policy",
        "responsible ai", "safety system", "safety reasons", "blocked for safety", "guardrail", "moderation",
    ])

    /// Exhausted quota or credit, which waiting does not fix. Not the bare word "quota": Gemini words
    /// its per-minute rate limits "Quota exceeded for metric ... per minute".
    static let quota = FailureMarkers(phrases: [
        "insufficient_quota", "exceeded your current quota", "quota exhausted", "quota_exhausted", "credit balance",
        "billing", "spend limit",
    ])

    static let overloaded = FailureMarkers(phrases: ["overloaded"])

    static let rateLimit = FailureMarkers(phrases: ["rate limit", "rate_limit", "too many requests"])
}
