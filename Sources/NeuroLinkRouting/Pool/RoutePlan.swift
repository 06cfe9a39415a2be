/// The outcome of one routing decision: whom to try, in which order, and why the others were left out.
public struct RoutePlan: Sendable, Hashable {
    /// A member left out of the plan and why, in words fit for `--debug` output.
    public struct Skip: Sendable, Hashable {
        /// The member's index in its pool.
        public var member: Int
        /// Why, e.g. "circuit open until +12.3 s".
        public var reason: String

        public init(member: Int, reason: String) {
            self.member = member
            self.reason = reason
        }
    }

    /// Member indices to try, in order: the first is the strategy's choice, the rest the failover order.
    public var candidates: [Int]
    /// Members left out, in configuration order.
    public var skipped: [Skip]
    /// Set when every member that could serve the request was unavailable (breaker open, or
    /// unhealthy) and the least-bad one was planned anyway, so that a pool never refuses
    /// everything: that member (then the only candidate) and why it was unavailable. Pass
    /// `force: true` to ``PoolRuntime/begin(_:now:force:)`` for it.
    public var lastResort: Skip?

    public init(candidates: [Int], skipped: [Skip], lastResort: Skip? = nil) {
        self.candidates = candidates
        self.skipped = skipped
        self.lastResort = lastResort
    }
}
