/// The limiter's local state, always used under its mutex.
struct LimiterState {
    var config: RateLimitConfig
    var scopes: [HashedScope: ScopeState] = [:]
    var pacing: [String: MemberPacing] = [:]
    var adaptive: [String: AdaptiveConcurrencyLimit] = [:]
    var livePermits: Set<UInt64> = []
    var lastPermit: UInt64 = 0

    /// Scope entries kept for status; idle ones beyond this are dropped (with their counters) so
    /// per-user sub-keys cannot grow the table without bound.
    static let maxTrackedScopes = 10_000

    enum Reservation {
        /// Slots taken; the buckets to charge and the token estimate.
        case reserved([RateCharge], TokenUsage)
        case denied(LimitDenial)
    }

    /// The local half of an admission: provider pacing, then in-flight limits; on success one
    /// in-flight slot is taken in each scope and the charges for the buckets are returned.
    mutating func reserve(
        _ request: AdmissionRequest,
        _ scopes: RequestScopes,
        now: ContinuousClock.Instant,
        countingRejection: Bool = true
    ) -> Reservation {
        let member = request.member
        if config.pacing.enabled, !pacing.isEmpty, let pacing = pacing[member] {
            let wait = pacing.delay(now: now)
            if wait > .zero {
                let paused = if case .paused = pacing.state(now: now) { true } else { false }
                let denial = LimitDenial(
                    scope: scopes.member.scope,
                    reason: paused ? .providerPaused : .providerPacing,
                    retryAfter: wait
                )
                if countingRejection { count(denial) }
                return .denied(denial)
            }
        }
        let limits = RequestLimits(config, scopes)
        for kind in LimitScope.Kind.allCases {
            var maximum = limits[kind].maxInFlight
            if kind == .member, let adaptive = adaptiveLimit(member: member) {
                maximum = min(maximum ?? .max, adaptive.limit)
            }
            guard let maximum, (self.scopes[scopes.hashed(kind)]?.inFlight ?? 0) >= maximum else { continue }
            let denial = LimitDenial(scope: scopes[kind], reason: .concurrency, retryAfter: nil)
            if countingRejection { count(denial) }
            return .denied(denial)
        }
        if self.scopes.count >= Self.maxTrackedScopes { dropIdleScopes() }
        for kind in LimitScope.Kind.allCases { update(scopes.hashed(kind)) { $0.inFlight += 1 } }
        let estimate = config.estimator.estimate(
            inputCharacters: request.inputCharacters,
            inputTokens: request.inputTokens,
            maxOutputTokens: request.maxOutputTokens
        )
        return .reserved(limits.charges(scopes: scopes, estimate: estimate), estimate)
    }

    mutating func releaseSlots(_ scopes: RequestScopes) {
        for kind in LimitScope.Kind.allCases {
            guard let index = self.scopes.index(forKey: scopes.hashed(kind)) else { continue }
            self.scopes.values[index].inFlight = max(0, self.scopes.values[index].inFlight - 1)
        }
    }

    /// Changes a scope's entry in place, creating it if needed: one lookup, no copy.
    mutating func update(_ scope: HashedScope, _ change: (inout ScopeState) -> Void) {
        if let index = scopes.index(forKey: scope) {
            change(&scopes.values[index])
        } else {
            var entry = ScopeState()
            change(&entry)
            scopes[scope] = entry
        }
    }

    mutating func count(_ denial: LimitDenial) {
        update(HashedScope(denial.scope)) { $0.rejections[denial.reason, default: 0] += 1 }
    }

    /// The member's adaptive limit, created on first use when its configuration asks for one.
    mutating func adaptiveLimit(member: String) -> AdaptiveConcurrencyLimit? {
        // Most configurations adapt nothing: skip hashing the member name for them.
        if !adaptive.isEmpty, let existing = adaptive[member] { return existing }
        guard config.adaptiveDefault != nil || !config.adaptiveMembers.isEmpty,
            let settings = config.adaptiveSettings(for: member)
        else { return nil }
        let created = AdaptiveConcurrencyLimit(settings: settings)
        adaptive[member] = created
        return created
    }

    private mutating func dropIdleScopes() {
        scopes = scopes.filter { $0.value.inFlight > 0 || $0.key.scope == .global }
    }
}

/// A scope with its hash computed once: an admission looks its four scopes up a dozen times and
/// keys its buckets by them (``LimiterKey``), and each of those hashed the tenant and provider
/// names again.
struct HashedScope: Hashable {
    let scope: LimitScope
    let hash: Int

    init(_ scope: LimitScope) {
        self.scope = scope
        hash = scope.hashValue
    }

    static func == (lhs: HashedScope, rhs: HashedScope) -> Bool {
        lhs.hash == rhs.hash && lhs.scope == rhs.scope
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}

extension ScopeState {
    mutating func recordAdmission(now: ContinuousClock.Instant) {
        admitted += 1
        meter.record(now: now)
    }
}
