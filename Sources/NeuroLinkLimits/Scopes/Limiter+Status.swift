import Synchronization

/// A snapshot of the limiter for the `status` RPC and `nlctl limits`.
public struct LimiterStatus: Sendable, Hashable {
    /// Every scope seen since start (or since it was last idle and dropped), sorted by name.
    public var scopes: [ScopeStatus]
    /// Every member with provider-reported limits or an adaptive limit, sorted by name.
    public var members: [MemberLimitStatus]
}

/// One scope's limits and activity.
public struct ScopeStatus: Sendable, Hashable {
    public var scope: LimitScope
    public var inFlight: Int
    /// The in-flight limit (the member's adaptive limit when lower).
    public var maxInFlight: Int?
    /// Requests admitted.
    public var admitted: Int
    /// Requests denied here, by reason.
    public var rejections: [DenialReason: Int]
    /// Admissions per second over about the last ten seconds.
    public var currentRate: Double
    /// Whole units left now in each configured bucket (requests, tokens, ...).
    public var remaining: [LimitDimension: Int]
    /// The configured bucket capacities, for "left of" displays.
    public var capacity: [LimitDimension: Int]
}

/// One member's provider-reported limits and adaptive limit.
public struct MemberLimitStatus: Sendable, Hashable {
    public var member: String
    /// Whether admission is open, paced or paused by the provider's own limits.
    public var pacing: MemberPacing.State
    /// The windows the provider last reported (remaining after local admissions).
    public var reported: [LimitDimension: MemberPacing.Window]
    /// The adaptive concurrency limit, if the member adapts.
    public var adaptiveLimit: Int?
}

extension Limiter {
    /// The state of every scope and member at `now`. Bucket levels are read from the store.
    public func status(now: ContinuousClock.Instant) async -> LimiterStatus {
        let (config, local, members) = state.withLock { state in
            var members: [MemberLimitStatus] = []
            for name in Set(state.pacing.keys).union(state.adaptive.keys).sorted() {
                let pacing = state.pacing[name]
                members.append(
                    MemberLimitStatus(
                        member: name,
                        pacing: pacing?.state(now: now) ?? .open,
                        reported: pacing?.windows ?? [:],
                        adaptiveLimit: state.adaptive[name]?.limit
                    )
                )
            }
            return (state.config, state.scopes, members)
        }
        var scopes: [ScopeStatus] = []
        for (hashed, entry) in local.sorted(by: { $0.key.scope.description < $1.key.scope.description }) {
            let scope = hashed.scope
            let limits = config.limits(for: scope)
            var remaining: [LimitDimension: Int] = [:]
            var capacity: [LimitDimension: Int] = [:]
            for dimension in LimitDimension.allCases {
                guard let limit = limits[dimension] else { continue }
                let decision = await store.peek(key: LimiterKey(scope, dimension), limit: limit, cost: 0, now: now)
                remaining[dimension] = decision.remaining
                capacity[dimension] = limit.capacity
            }
            var maxInFlight = limits.maxInFlight
            if case .member(let name) = scope,
                let adaptive = members.first(where: { $0.member == name })?.adaptiveLimit
            {
                maxInFlight = min(maxInFlight ?? .max, adaptive)
            }
            scopes.append(
                ScopeStatus(
                    scope: scope,
                    inFlight: entry.inFlight,
                    maxInFlight: maxInFlight,
                    admitted: entry.admitted,
                    rejections: entry.rejections,
                    currentRate: entry.meter.perSecond(now: now),
                    remaining: remaining,
                    capacity: capacity
                )
            )
        }
        return LimiterStatus(scopes: scopes, members: members)
    }
}
