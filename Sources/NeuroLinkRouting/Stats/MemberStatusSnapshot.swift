import NeuroLinkBasics
import NeuroLinkProtocol

/// One pool member's state at one instant, for `status`.
public struct MemberStatusSnapshot: Sendable, Hashable {
    /// The member's index in its pool.
    public var index: Int
    /// `provider/model` unless configured otherwise.
    public var label: String
    public var provider: String
    public var model: String
    /// Healthy by active checks and not ejected by outlier detection.
    public var healthy: Bool
    /// Why the member is unhealthy; `nil` when healthy.
    public var healthDetail: String?
    /// The breaker's state at the snapshot's instant.
    public var breaker: BreakerState
    /// Milliseconds until an open breaker lets probes through; `nil` unless open.
    public var breakerOpenForMs: Int?
    /// Times the breaker has opened.
    public var trips: Int
    /// Times outlier detection has ejected the member.
    public var ejections: Int
    /// Attempts started and not yet finished.
    public var inFlight: Int
    /// Moving average of time to first chunk, in milliseconds.
    public var ewmaLatencyMs: Double?
    /// Failures among recent outcomes that were the member's fault, in percent.
    public var errorRatePct: Double
    /// Moving average of output tokens per second.
    public var throughputTps: Double?
    /// Class of the most recent failure.
    public var lastError: FailureClass?
    /// Milliseconds since the last failure; `nil` when there was none.
    public var lastErrorAgoMs: Int?
    /// Attempts finished.
    public var requests: Int
    /// Attempts failed, of any class.
    public var failures: Int

    init(index: Int, state: PoolState.Member, now: ContinuousClock.Instant) {
        self.index = index
        label = state.spec.label
        provider = state.spec.provider
        model = state.spec.model
        healthy = state.health.isHealthy(now: now)
        healthDetail = state.health.unhealthyReason(now: now)
        breaker = state.breaker.state(now: now)
        if case .open(let until) = breaker { breakerOpenForMs = until.millisecondsLeft(after: now) }
        trips = state.breaker.trips
        ejections = state.health.ejections
        inFlight = state.stats.inFlight
        ewmaLatencyMs = state.stats.ewmaLatencyMs
        errorRatePct = state.stats.errorRatePct
        throughputTps = state.stats.throughputTps
        lastError = state.stats.lastFailure
        lastErrorAgoMs = state.stats.lastFailureAt.map { now.millisecondsLeft(after: $0) }
        requests = state.stats.requests
        failures = state.stats.failures
    }

    /// The wire form `status` returns.
    public var poolMemberStatus: PoolMemberStatus {
        PoolMemberStatus(
            member: label,
            provider: provider,
            model: model,
            healthy: healthy,
            healthDetail: healthDetail,
            breaker: breaker.name,
            breakerOpenForMs: breakerOpenForMs,
            breakerTrips: trips,
            inFlight: inFlight,
            latencyMs: ewmaLatencyMs,
            errorRatePct: errorRatePct,
            throughputTps: throughputTps,
            requests: requests,
            failures: failures,
            lastError: lastError?.rawValue
        )
    }
}

extension RetryBudgetSnapshot {
    /// The wire form `status` returns.
    public var retryBudgetStatus: RetryBudgetStatus {
        RetryBudgetStatus(requests: requests, retries: retries, available: available)
    }
}
