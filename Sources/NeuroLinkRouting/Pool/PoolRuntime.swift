import NeuroLinkProtocol
import Synchronization

/// The live routing state of one pool, shared by every request routed through it: each member's
/// circuit breaker, statistics and health, and the strategy's rotation state, behind one lock.
///
/// One attempt on a member goes: ``plan(requiredCapabilities:minContextWindow:now:)`` →
/// ``begin(_:now:force:)`` → exactly one of ``recordSuccess(_:timeToFirstChunk:duration:outputTokens:now:)``,
/// ``recordFailure(_:_:retryAfter:now:)`` or ``release(_:)``. `begin` counts the attempt in flight
/// and each of the three ends it once; the count never goes below zero.
///
/// Availability: a member is skipped by every strategy while its breaker is open (or half-open
/// with every probe slot taken), while active health checks say it is unhealthy, and while it is
/// ejected by outlier detection. Two rules keep a pool from refusing everything:
/// - a member is never taken out of service (breaker opened, or ejected) unless another member is
///   healthy with a closed breaker at that moment — failures of the last member in service are
///   recorded but change nothing; and
/// - when every member able to serve a request (capabilities, context window) is unavailable
///   anyway, e.g. because health checks failed everywhere, the plan holds the least-bad one as
///   its only candidate (``RoutePlan/lastResort``), and `begin` lets a call through to it even
///   past an open breaker. Members lacking a capability or context window are never planned.
public final class PoolRuntime: Sendable {
    /// The pool's configured name (`provider/model` for a pool of one).
    public let name: String
    /// How ``plan(requiredCapabilities:minContextWindow:now:)`` orders eligible members.
    public let strategy: RoutingStrategy
    /// The members in configuration order; their positions are the member indices used throughout.
    public let members: [MemberSpec]
    /// The policy of every member's circuit breaker.
    public let breakerPolicy: BreakerPolicy
    /// The thresholds ``recordProbe(_:ok:detail:now:)`` applies.
    public let healthCheckPolicy: HealthCheckPolicy
    /// Passive outlier detection from live attempts.
    public let outlierPolicy: OutlierPolicy
    let state: Mutex<PoolState>

    public init(
        name: String,
        strategy: RoutingStrategy,
        members: [MemberSpec],
        breakerPolicy: BreakerPolicy = BreakerPolicy(),
        healthCheckPolicy: HealthCheckPolicy = HealthCheckPolicy(),
        outlierPolicy: OutlierPolicy = OutlierPolicy(),
        statsSettings: StatsSettings = StatsSettings()
    ) {
        self.name = name
        self.strategy = strategy
        self.members = members
        self.breakerPolicy = breakerPolicy
        self.healthCheckPolicy = healthCheckPolicy
        self.outlierPolicy = outlierPolicy
        state = Mutex(
            PoolState(
                members: members.map {
                    PoolState.Member(
                        spec: $0,
                        breaker: CircuitBreaker(policy: breakerPolicy),
                        stats: MemberStats(settings: statsSettings)
                    )
                },
                selector: MemberSelector(strategy: strategy)
            )
        )
    }

    // MARK: - Routing

    /// Decides the members to try for one request, in order, and explains the others.
    ///
    /// Each call is one decision of the strategy (it advances round-robin and weighted state).
    /// - Parameters:
    ///   - requiredCapabilities: specializations every planned member must have.
    ///   - minContextWindow: the smallest configured `context_window` acceptable (after a
    ///     `context_length` failure); members without one are skipped then.
    public func plan(
        requiredCapabilities: Set<String>,
        minContextWindow: Int?,
        now: ContinuousClock.Instant
    ) -> RoutePlan {
        state.withLock { state in
            var eligible: [CandidateSnapshot] = []
            var skipped: [RoutePlan.Skip] = []
            var unavailable: [Int] = []
            for member in state.members.indices {
                if let reason = state.exclusion(
                    member,
                    required: requiredCapabilities,
                    minContextWindow: minContextWindow
                ) {
                    skipped.append(RoutePlan.Skip(member: member, reason: reason))
                } else if let reason = state.unavailability(member, now: now) {
                    skipped.append(RoutePlan.Skip(member: member, reason: reason))
                    unavailable.append(member)
                } else {
                    eligible.append(state.candidate(member))
                }
            }
            let candidates = state.selector.order(eligible)
            guard candidates.isEmpty, let best = unavailable.min(by: { state.lessBad($0, $1, now: now) }),
                let position = skipped.firstIndex(where: { $0.member == best })
            else {
                return RoutePlan(candidates: candidates, skipped: skipped)
            }
            let skip = skipped.remove(at: position)
            return RoutePlan(
                candidates: [best],
                skipped: skipped,
                lastResort: RoutePlan.Skip(
                    member: best,
                    reason: "every member is unavailable; trying the least-bad one (\(skip.reason))"
                )
            )
        }
    }

    /// Starts an attempt on `member`: takes a half-open probe slot when needed and counts it in
    /// flight. Returns `false` (and counts nothing) when the breaker refuses the call now, unless
    /// no other member is healthy and admissible, or `force` is set for a plan's
    /// ``RoutePlan/lastResort``: the last resort is always let through.
    public func begin(_ member: Int, now: ContinuousClock.Instant, force: Bool = false) -> Bool {
        state.withLock { state in
            guard state.members.indices.contains(member) else { return false }
            let admitted =
                state.members[member].breaker.tryAcquire(now: now)
                || force || !state.othersAdmissible(excluding: member, now: now)
            if admitted { state.members[member].stats.begin() }
            return admitted
        }
    }

    /// Ends a successful attempt. Returns the breaker's transition when this closes it.
    @discardableResult
    public func recordSuccess(
        _ member: Int,
        timeToFirstChunk: Duration?,
        duration: Duration,
        outputTokens: Int?,
        now: ContinuousClock.Instant
    ) -> BreakerTransition? {
        state.withLock { state in
            guard state.members.indices.contains(member) else { return nil }
            state.members[member].stats.end()
            state.members[member].stats.recordSuccess(
                timeToFirstChunk: timeToFirstChunk,
                duration: duration,
                outputTokens: outputTokens
            )
            state.members[member].health.recordLiveSuccess()
            return state.members[member].breaker.recordSuccess(now: now)
        }
    }

    /// Ends a failed attempt. Feeds the breaker (opening it only when another member stays in
    /// service) and outlier detection. Returns the breaker's transition when it changes state.
    @discardableResult
    public func recordFailure(
        _ member: Int,
        _ failureClass: FailureClass,
        retryAfter: Duration?,
        now: ContinuousClock.Instant
    ) -> BreakerTransition? {
        state.withLock { state in
            guard state.members.indices.contains(member) else { return nil }
            let mayLeave = state.othersInService(excluding: member, now: now)
            state.members[member].stats.end()
            state.members[member].stats.recordFailure(failureClass, now: now)
            _ = state.members[member].health.recordLiveFailure(
                failureClass,
                mayEject: mayLeave,
                policy: outlierPolicy,
                now: now
            )
            return state.members[member].breaker.recordFailure(
                failureClass,
                retryAfter: retryAfter,
                mayOpen: mayLeave,
                now: now
            )
        }
    }

    /// Ends an attempt without an outcome that says anything about the member (the client
    /// cancelled, the daemon is shutting down): releases its in-flight count and probe slot.
    public func release(_ member: Int) {
        state.withLock { state in
            guard state.members.indices.contains(member) else { return }
            state.members[member].stats.end()
            state.members[member].breaker.abandon()
        }
    }

    // MARK: - Health

    /// Records one active health check of `member`. Returns the member's new health when this
    /// result flips it (after ``HealthCheckPolicy/unhealthyThreshold`` failures or
    /// ``HealthCheckPolicy/healthyThreshold`` successes in a row), else `nil`.
    ///
    /// A passing check does not end an ejection by outlier detection: a model listing answering
    /// says little about completions that kept failing.
    @discardableResult
    public func recordProbe(_ member: Int, ok: Bool, detail: String? = nil, now: ContinuousClock.Instant) -> Bool? {
        state.withLock { state in
            guard state.members.indices.contains(member) else { return nil }
            return state.members[member].health.recordProbe(ok: ok, detail: detail, policy: healthCheckPolicy)
        }
    }

    /// Sets the active-check verdict of `member` directly, for a checker that applies its own
    /// thresholds. Returns the new health when it changed.
    @discardableResult
    public func setHealth(_ member: Int, healthy: Bool, detail: String, now: ContinuousClock.Instant) -> Bool? {
        state.withLock { state in
            guard state.members.indices.contains(member) else { return nil }
            return state.members[member].health.set(healthy: healthy, detail: detail)
        }
    }

    // MARK: - Status

    /// Every member's health, breaker and statistics at `now`, in configuration order.
    public func snapshot(now: ContinuousClock.Instant) -> [MemberStatusSnapshot] {
        state.withLock { state in
            state.members.indices.map { MemberStatusSnapshot(index: $0, state: state.members[$0], now: now) }
        }
    }
}
