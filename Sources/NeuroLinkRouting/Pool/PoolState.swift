import NeuroLinkProtocol

/// Everything a ``PoolRuntime`` guards with its lock.
struct PoolState: Sendable {
    struct Member: Sendable {
        let spec: MemberSpec
        var breaker: CircuitBreaker
        var stats: MemberStats
        var health = MemberHealth()
    }

    var members: [Member]
    var selector: MemberSelector

    /// Whether some member other than `excluded` is healthy with a closed breaker: only then may
    /// `excluded` be taken out of service (breaker opened, or ejected).
    func othersInService(excluding excluded: Int, now: ContinuousClock.Instant) -> Bool {
        members.indices.contains { index in
            index != excluded && members[index].health.isHealthy(now: now)
                && members[index].breaker.state(now: now) == .closed
        }
    }

    /// Whether some member other than `excluded` is healthy and would be let through by its breaker.
    func othersAdmissible(excluding excluded: Int, now: ContinuousClock.Instant) -> Bool {
        members.indices.contains { index in
            index != excluded && members[index].health.isHealthy(now: now)
                && members[index].breaker.wouldAllow(now: now)
        }
    }

    /// Why `member` cannot serve a request needing `required` and `minContextWindow` at all.
    func exclusion(_ member: Int, required: Set<String>, minContextWindow: Int?) -> String? {
        let spec = members[member].spec
        let missing = required.subtracting(spec.specializations)
        if !missing.isEmpty {
            let plural = missing.count == 1 ? "capability" : "capabilities"
            return "lacks \(plural) \(missing.sorted().joined(separator: ", "))"
        }
        if let minimum = minContextWindow {
            guard let window = spec.contextWindow else { return "context window unknown, required \(minimum)" }
            if window < minimum { return "context window \(window) < required \(minimum)" }
        }
        return nil
    }

    /// Why `member` is unavailable at `now` (breaker or health), or `nil` when it is available.
    func unavailability(_ member: Int, now: ContinuousClock.Instant) -> String? {
        let state = members[member]
        var reasons: [String] = []
        switch state.breaker.state(now: now) {
        case .open(let until):
            reasons.append("circuit open until \(until.routingRelative(to: now))")
        case .halfOpen where !state.breaker.wouldAllow(now: now):
            reasons.append("circuit half-open, all \(state.breaker.policy.halfOpenProbes) probe slots in use")
        case .closed, .halfOpen:
            break
        }
        if let health = state.health.unhealthyReason(now: now) { reasons.append(health) }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// Orders unavailable members from least to most bad: a breaker that would let a call through,
    /// then a full half-open one, then open ones by the end of their cool-down; then members
    /// ejected by outlier detection (earliest return first) before those failing health checks;
    /// then priority and configuration order.
    func lessBad(_ lhs: Int, _ rhs: Int, now: ContinuousClock.Instant) -> Bool {
        rank(lhs, now: now) < rank(rhs, now: now)
    }

    private func rank(_ member: Int, now: ContinuousClock.Instant) -> (Int, Duration, Int, Duration, Int, Int) {
        let state = members[member]
        let breakerRank: (Int, Duration) =
            switch state.breaker.state(now: now) {
            case _ where state.breaker.wouldAllow(now: now): (0, .zero)
            case .open(let until): (2, until - now)
            case .closed, .halfOpen: (1, .zero)
            }
        let healthRank: (Int, Duration) =
            if !state.health.checkedHealthy {
                (2, .zero)
            } else if let until = state.health.ejectedUntil, now < until {
                (1, until - now)
            } else {
                (0, .zero)
            }
        return (breakerRank.0, breakerRank.1, healthRank.0, healthRank.1, state.spec.priority, member)
    }

    func candidate(_ member: Int) -> CandidateSnapshot {
        let state = members[member]
        return CandidateSnapshot(
            index: member,
            weight: state.spec.weight,
            priority: state.spec.priority,
            inFlight: state.stats.inFlight,
            ewmaLatencyMs: state.stats.ewmaLatencyMs,
            errorRatePct: state.stats.errorRatePct,
            throughputTps: state.stats.throughputTps,
            thresholds: state.spec.thresholds
        )
    }
}
