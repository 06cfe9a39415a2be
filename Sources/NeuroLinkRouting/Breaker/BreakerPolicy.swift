/// When a member's circuit breaker trips and how long it stays open.
///
/// Defaults sit between Envoy's outlier detection (5 consecutive failures, ejection 30 s × times
/// ejected, at most 300 s) and resilience4j (≥ 50 % failures over a sliding count window with a
/// minimum number of calls, a handful of half-open probes), scaled down for LLM traffic, which is
/// far less than the thousands of calls per second those defaults were made for.
public struct BreakerPolicy: Sendable, Hashable {
    /// Transient failures in a row that trip the breaker.
    public let consecutiveFailures: Int
    /// Failure share (0...1) of the sliding window that trips the breaker.
    public let failureRateThreshold: Double
    /// Calls in the sliding window.
    public let windowSize: Int
    /// Calls the window must hold before the failure rate may trip the breaker (at most `windowSize`).
    public let minimumCalls: Int
    /// Cool-down after the first trip; doubled for every trip that follows without a full recovery.
    public let openDuration: Duration
    /// The longest cool-down.
    public let maxOpenDuration: Duration
    /// Successful half-open probes needed to close; also the most probes in flight at once.
    public let halfOpenProbes: Int

    /// Out-of-range values are clamped so that a bad configuration degrades instead of trapping:
    /// counts become at least 1, the rate lands in 0...1, durations are at least zero and the
    /// maximum cool-down is never below the base one.
    public init(
        consecutiveFailures: Int = 5,
        failureRateThreshold: Double = 0.5,
        windowSize: Int = 20,
        minimumCalls: Int = 10,
        openDuration: Duration = .seconds(30),
        maxOpenDuration: Duration = .seconds(300),
        halfOpenProbes: Int = 3
    ) {
        self.consecutiveFailures = max(1, consecutiveFailures)
        self.failureRateThreshold = failureRateThreshold.isNaN ? 0.5 : failureRateThreshold.clamped(to: 0...1)
        self.windowSize = max(1, windowSize)
        self.minimumCalls = minimumCalls.clamped(to: 1...max(1, windowSize))
        self.openDuration = max(.zero, openDuration)
        self.maxOpenDuration = max(self.openDuration, maxOpenDuration)
        self.halfOpenProbes = max(1, halfOpenProbes)
    }

    /// The cool-down of the `streak`-th trip in a row (1-based): base × 2^(streak − 1), capped.
    public func openDuration(streak: Int) -> Duration {
        let doublings = (streak - 1).clamped(to: 0...62)
        return openDuration.routingScaled(by: Int64(1) << doublings, limit: maxOpenDuration)
    }
}
