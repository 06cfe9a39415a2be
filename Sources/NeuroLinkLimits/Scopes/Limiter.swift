import Synchronization

/// Applies every configured limit to a request at once: the rate and token buckets of the four
/// scopes (global, member, tenant, tenant × member), the in-flight limits of those scopes (the
/// member's lowered by its adaptive limit), and the member's provider-reported pacing.
///
/// How a pipeline uses it:
/// 1. Admission: ``admit(_:now:)``. `.admitted(permit)`: run the request. `.denied(denial)`: nothing
///    was charged; answer `rate_limited` with `denial.retryAfter`, or put the request in an
///    ``AdmissionQueue`` and try again later.
/// 2. Responses: ``observe(_:member:now:)`` with the provider's rate-limit headers,
///    ``observeRateLimited(member:retryAfter:now:)`` on a 429, ``recordResponse(_:responseTime:)``
///    (adaptive members) when the first token or the answer arrived.
/// 3. Stream end: ``finish(_:actual:now:)`` with the real usage (reconciles the token estimate and
///    releases the in-flight slots), or ``cancel(_:now:)`` if the request never reached the provider.
///
/// Buckets live in a ``RateLimiterStore``; everything else (in-flight counts, pacing, adaptive
/// limits, counters) is local to this daemon, behind one mutex that is held only for dictionary
/// updates, never across the store's `await`.
public final class Limiter: Sendable {
    let store: any RateLimiterStore
    let state: Mutex<LimiterState>

    /// A limiter enforcing `config`, keeping buckets in `store`.
    public init(config: RateLimitConfig, store: any RateLimiterStore = InMemoryLimiterStore()) {
        self.store = store
        state = Mutex(LimiterState(config: config))
    }

    /// The configuration in force.
    public var config: RateLimitConfig { state.withLock { $0.config } }

    /// Replaces the configuration (a reload). In-flight counts and provider pacing carry over;
    /// buckets carry over for every scope and dimension whose limit did not change, and start
    /// afresh where it did; adaptive limits restart for members whose adaptive settings changed.
    public func update(config: RateLimitConfig) async {
        let old = state.withLock { state in
            defer {
                state.config = config
                state.adaptive = state.adaptive.filter { config.adaptiveSettings(for: $0.key) == $0.value.settings }
                for member in state.pacing.keys { state.pacing[member]?.settings = config.pacing }
            }
            return state.config
        }
        await store.reset { key in
            old.limits(for: key.scope)[key.dimension] != config.limits(for: key.scope)[key.dimension]
        }
    }

    /// Checks and charges every limit that applies to `request` at `now`, all or nothing.
    ///
    /// - Parameter countingRejection: whether a denial counts in the status' rejections; a queue
    ///   trying its waiting requests again passes `false`, so that each request counts once.
    public func admit(
        _ request: AdmissionRequest,
        now: ContinuousClock.Instant,
        countingRejection: Bool = true
    ) async
        -> AdmissionDecision
    {
        let scopes = RequestScopes(tenant: request.tenant, member: request.member)
        let charges: [RateCharge]
        let estimate: TokenUsage
        switch state.withLock({ $0.reserve(request, scopes, now: now, countingRejection: countingRejection) }) {
        case .denied(let denial): return .denied(denial)
        case .reserved(let reserved, let estimated): (charges, estimate) = (reserved, estimated)
        }
        let batch = charges.isEmpty ? BatchDecision.admitted : await store.acquireAll(charges, now: now)

        return state.withLock { state in
            guard batch.allowed else {
                state.releaseSlots(scopes)
                let blocking = batch.blockingIndex.map { charges[$0] } ?? charges.first
                let denial = LimitDenial(
                    scope: blocking?.key.scope ?? .global,
                    reason: DenialReason(blocking?.key.dimension ?? .requests),
                    retryAfter: batch.retryAfter
                )
                if countingRejection { state.count(denial) }
                return .denied(denial)
            }
            if state.config.pacing.enabled, !state.pacing.isEmpty {
                state.pacing[request.member]?.recordAdmission(now: now)
            }
            for kind in LimitScope.Kind.allCases { state.update(scopes.hashed(kind)) { $0.recordAdmission(now: now) } }
            state.lastPermit += 1
            state.livePermits.insert(state.lastPermit)
            return .admitted(
                AdmissionPermit(
                    id: state.lastPermit,
                    tenant: request.tenant,
                    member: request.member,
                    admittedAt: now,
                    tokens: estimate,
                    charges: charges
                )
            )
        }
    }

    /// Sets the permit's token charges to the `actual` usage: an overestimate is refunded, an
    /// underestimate charged (possibly into debt, which delays later requests). May be called again
    /// with a later total; each call charges only the difference.
    public func reconcile(_ permit: inout AdmissionPermit, actual: TokenUsage, now: ContinuousClock.Instant) async {
        await charge(permit.charges, upTo: actual, now: now)
        for index in permit.charges.indices where permit.charges[index].key.dimension != .requests {
            permit.charges[index].cost = actual[permit.charges[index].key.dimension]
        }
        permit.tokens = actual
    }

    /// Moves each token charge's bucket by the difference between `actual` and what was charged.
    private func charge(_ charges: [RateCharge], upTo actual: TokenUsage, now: ContinuousClock.Instant) async {
        for charge in charges where charge.key.dimension != .requests {
            let target = actual[charge.key.dimension]
            guard target != charge.cost else { continue }
            await store.adjust(key: charge.key, limit: charge.limit, by: target - charge.cost, now: now)
        }
    }

    /// Releases the permit's in-flight slots. Returns `false` (and does nothing) when it was already
    /// released.
    @discardableResult
    public func release(_ permit: AdmissionPermit) -> Bool {
        state.withLock { state in
            guard state.livePermits.remove(permit.id) != nil else { return false }
            state.releaseSlots(RequestScopes(tenant: permit.tenant, member: permit.member))
            return true
        }
    }

    /// The end of a request that ran: reconciles its tokens with `actual` (when the usage is known;
    /// without it the estimate stays charged) and releases its slots.
    public func finish(_ permit: AdmissionPermit, actual: TokenUsage?, now: ContinuousClock.Instant) async {
        // The permit ends here, so its charges are only read: no copy of them to update.
        if let actual { await charge(permit.charges, upTo: actual, now: now) }
        release(permit)
    }

    /// Undoes an admission whose request never reached the provider (cancelled while being set up,
    /// or admitted from the queue after its client left): refunds every charge and releases the slots.
    public func cancel(_ permit: AdmissionPermit, now: ContinuousClock.Instant) async {
        guard release(permit) else { return }
        for charge in permit.charges {
            await store.adjust(key: charge.key, limit: charge.limit, by: -charge.cost, now: now)
        }
    }
}

/// The four scopes of one request, each hashed once.
struct RequestScopes {
    let global: HashedScope
    let member: HashedScope
    let tenant: HashedScope
    let tenantMember: HashedScope

    init(tenant: TenantKey, member: String) {
        global = HashedScope(.global)
        self.member = HashedScope(.member(member))
        self.tenant = HashedScope(.tenant(tenant))
        tenantMember = HashedScope(.tenantMember(tenant, member: member))
    }

    subscript(kind: LimitScope.Kind) -> LimitScope { hashed(kind).scope }

    func hashed(_ kind: LimitScope.Kind) -> HashedScope {
        switch kind {
        case .global: global
        case .member: member
        case .tenant: tenant
        case .tenantMember: tenantMember
        }
    }
}

/// The limits of the four scopes of one request.
struct RequestLimits {
    var global: ScopeLimits
    var member: ScopeLimits
    var tenant: ScopeLimits
    var tenantMember: ScopeLimits

    init(_ config: RateLimitConfig, _ scopes: RequestScopes) {
        global = config.global
        member = config.limits(for: scopes.member.scope)
        tenant = config.limits(for: scopes.tenant.scope)
        tenantMember = config.limits(for: scopes.tenantMember.scope)
    }

    subscript(kind: LimitScope.Kind) -> ScopeLimits {
        switch kind {
        case .global: global
        case .member: member
        case .tenant: tenant
        case .tenantMember: tenantMember
        }
    }

    /// One charge per configured bucket. A token estimate larger than a whole bucket is charged as
    /// a full bucket, so the request can still run once the bucket is full (reconciliation then
    /// charges the rest as debt) instead of being refused forever.
    func charges(scopes: RequestScopes, estimate: TokenUsage) -> [RateCharge] {
        var charges: [RateCharge] = []
        for kind in LimitScope.Kind.allCases {
            // One copy of the scope's limits (a few hundred bytes) per scope, not per dimension.
            let limits = self[kind]
            // The scope's hash, computed once for the request, serves all of its buckets: hashing
            // the tenant and provider names for every key was most of the limiter's cost.
            let scope = scopes.hashed(kind)
            for dimension in LimitDimension.allCases {
                guard let limit = limits[dimension] else { continue }
                if charges.isEmpty { charges.reserveCapacity(LimitScope.Kind.allCases.count * 2) }
                let key = LimiterKey(scope, dimension)
                charges.append(RateCharge(key: key, limit: limit, cost: min(estimate[dimension], limit.capacity)))
            }
        }
        return charges
    }
}
