/// Full-jitter exponential backoff between attempts on the same member.
///
/// The wait before retry number `attempt` (0-based) is uniform in `0 ... min(cap, base · 2^attempt)`
/// (AWS, "Exponential Backoff and Jitter": full jitter spreads a burst of failing clients best),
/// but never shorter than a provider's `retry-after`. A retry-after may exceed `cap`: whether such
/// a wait is worth it, or another member is better, is the caller's decision.
public struct Backoff: Sendable, Hashable {
    /// The ceiling of the first retry's wait; doubled for every further retry.
    public let base: Duration
    /// The highest ceiling of the jittered wait.
    public let cap: Duration

    /// Negative durations count as zero; a cap below the base is raised to it.
    public init(base: Duration = .milliseconds(250), cap: Duration = .seconds(10)) {
        self.base = max(.zero, base)
        self.cap = max(self.base, cap)
    }

    /// The upper bound of the jittered wait before retry `attempt`: `min(cap, base · 2^attempt)`.
    public func ceiling(attempt: Int) -> Duration {
        base.routingScaled(by: Int64(1) << attempt.clamped(to: 0...62), limit: cap)
    }

    /// The wait before retry `attempt` (0 for the first retry), drawn from `generator`.
    public func delay(
        attempt: Int,
        retryAfter: Duration?,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let ceiling = ceiling(attempt: attempt).routingNanoseconds
        let jittered = Duration.nanoseconds(ceiling > 0 ? Int64.random(in: 0...ceiling, using: &generator) : 0)
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }
}
