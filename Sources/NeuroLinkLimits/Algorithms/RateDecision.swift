/// What a rate limiter answered for one charge.
public struct RateDecision: Sendable, Hashable {
    /// Whether the charge was (or, for a peek, would be) admitted.
    public var allowed: Bool
    /// `.zero` when allowed; when denied, how long until the same cost would be admitted; `nil` when
    /// it never can be, because the cost exceeds the bucket's capacity.
    public var retryAfter: Duration?
    /// Whole units left after this decision.
    public var remaining: Int
    /// How long until the bucket is full again.
    public var resetAfter: Duration
    /// The bucket's capacity (``RateLimit/capacity``).
    public var limit: Int

    public init(allowed: Bool, retryAfter: Duration?, remaining: Int, resetAfter: Duration, limit: Int) {
        self.allowed = allowed
        self.retryAfter = retryAfter
        self.remaining = remaining
        self.resetAfter = resetAfter
        self.limit = limit
    }
}
