/// Where buckets live. The in-memory store serves one daemon; a shared store (Redis) lets several
/// daemons enforce one limit. Each bucket is one ``LimiterKey`` holding one GCRA instant.
///
/// Methods are `async` so that a networked store can await its round trip; the in-memory store
/// implements them synchronously. A store never fails: a networked one decides itself whether to
/// fail open (e.g. to a local share of the limit) when its backend is unreachable.
public protocol RateLimiterStore: Sendable {
    /// Charges `cost` units to `key` if its bucket allows it at `now`.
    func acquire(key: LimiterKey, limit: RateLimit, cost: Int, now: ContinuousClock.Instant) async -> RateDecision

    /// Moves `key`'s bucket by `delta` units without a check: positive charges (reconciling an
    /// underestimate), negative refunds (an overestimate, or a charge that must be undone).
    func adjust(key: LimiterKey, limit: RateLimit, by delta: Int, now: ContinuousClock.Instant) async

    /// What charging `cost` to `key` would answer at `now`, without charging (`cost: 0` reads the
    /// bucket's level for status).
    func peek(key: LimiterKey, limit: RateLimit, cost: Int, now: ContinuousClock.Instant) async -> RateDecision

    /// Charges every charge or none: when one would be denied, nothing is charged and the answer
    /// carries the longest wait among the denying charges. A networked store does this in one round
    /// trip (one script over all the keys).
    func acquireAll(_ charges: [RateCharge], now: ContinuousClock.Instant) async -> BatchDecision

    /// Empties the buckets of the keys `isStale` accepts (a reload changed their limit), so they
    /// start afresh under the new one.
    func reset(where isStale: @Sendable (LimiterKey) -> Bool) async
}

extension RateLimiterStore {
    /// Charges one key after another and refunds those already charged when one denies; the keys
    /// after a denial are only peeked, so the answer still names the longest wait. Between the
    /// charge and the refund another request may see the charged keys fuller than they end up:
    /// stores that can lock several keys at once override this.
    public func acquireAll(_ charges: [RateCharge], now: ContinuousClock.Instant) async -> BatchDecision {
        var result = BatchDecision.admitted
        var charged = 0
        for (index, charge) in charges.enumerated() {
            if result.allowed {
                let decision = await acquire(key: charge.key, limit: charge.limit, cost: charge.cost, now: now)
                if decision.allowed {
                    charged = index + 1
                    continue
                }
                result.noteDenied(index: index, retryAfter: decision.retryAfter)
            } else {
                let decision = await peek(key: charge.key, limit: charge.limit, cost: charge.cost, now: now)
                if !decision.allowed { result.noteDenied(index: index, retryAfter: decision.retryAfter) }
            }
        }
        if !result.allowed {
            for charge in charges.prefix(charged) {
                await adjust(key: charge.key, limit: charge.limit, by: -charge.cost, now: now)
            }
        }
        return result
    }
}
