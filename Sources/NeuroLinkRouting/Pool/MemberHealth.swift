import NeuroLinkProtocol

/// A member's health: the verdict of active checks and any ejection by outlier detection.
struct MemberHealth: Sendable, Hashable {
    /// The active checks' verdict; members start healthy so a fresh daemon serves at once.
    private(set) var checkedHealthy = true
    private(set) var checkFailures = 0
    private var checkSuccesses = 0
    /// The last check's detail, or the reason given to ``set(healthy:detail:)``.
    private(set) var detail: String?

    private(set) var ejectedUntil: ContinuousClock.Instant?
    private(set) var ejections = 0
    /// The ejection multiplier (Envoy: grows per ejection, decays while the member behaves).
    private var multiplier = 0
    private var lastEjectionEnd: ContinuousClock.Instant?
    private(set) var liveFailures = 0

    func isHealthy(now: ContinuousClock.Instant) -> Bool {
        checkedHealthy && !isEjected(now: now)
    }

    func isEjected(now: ContinuousClock.Instant) -> Bool {
        ejectedUntil.map { now < $0 } ?? false
    }

    /// One active check's result; returns the new verdict when it flips.
    mutating func recordProbe(ok: Bool, detail: String?, policy: HealthCheckPolicy) -> Bool? {
        if let detail { self.detail = detail }
        if ok {
            checkFailures = 0
            checkSuccesses += 1
            guard !checkedHealthy, checkSuccesses >= policy.healthyThreshold else { return nil }
            checkedHealthy = true
            return true
        }
        checkSuccesses = 0
        checkFailures += 1
        guard checkedHealthy, checkFailures >= policy.unhealthyThreshold else { return nil }
        checkedHealthy = false
        return false
    }

    /// Sets the verdict directly; returns the new verdict when it flips.
    mutating func set(healthy: Bool, detail: String) -> Bool? {
        self.detail = detail
        checkFailures = 0
        checkSuccesses = 0
        guard healthy != checkedHealthy else { return nil }
        checkedHealthy = healthy
        return healthy
    }

    /// A live attempt succeeded.
    mutating func recordLiveSuccess() {
        liveFailures = 0
    }

    /// A live attempt failed; ejects the member when the outlier rule says so and `mayEject`.
    /// Returns the ejection's end when it ejects.
    mutating func recordLiveFailure(
        _ failureClass: FailureClass,
        mayEject: Bool,
        policy: OutlierPolicy,
        now: ContinuousClock.Instant
    ) -> ContinuousClock.Instant? {
        guard failureClass.isTransient, failureClass != .rateLimited else { return nil }
        liveFailures += 1
        guard mayEject, !isEjected(now: now), liveFailures >= policy.consecutiveFailures else { return nil }
        if let end = lastEjectionEnd, policy.baseEjection > .zero {
            let calm = Int(((now - end) / policy.baseEjection).rounded(.down).clamped(to: 0...1e9))
            multiplier = max(0, multiplier - calm)
        }
        multiplier += 1
        ejections += 1
        liveFailures = 0
        let until = now + policy.baseEjection.routingScaled(by: Int64(multiplier), limit: policy.maxEjection)
        ejectedUntil = until
        lastEjectionEnd = until
        return until
    }

    /// Why the member is unhealthy at `now`, for skip reasons; `nil` when healthy.
    func unhealthyReason(now: ContinuousClock.Instant) -> String? {
        if !checkedHealthy {
            var parts: [String] = []
            if checkFailures > 0 { parts.append("\(checkFailures) failed health checks") }
            if let detail { parts.append(detail) }
            return parts.isEmpty ? "unhealthy" : "unhealthy (\(parts.joined(separator: ": ")))"
        }
        if let until = ejectedUntil, now < until {
            return "ejected by outlier detection until \(until.routingRelative(to: now))"
        }
        return nil
    }
}
