import Synchronization

/// The buckets of one daemon: a dictionary from ``LimiterKey`` to its GCRA instant behind a mutex.
///
/// Bounded: a key whose instant has passed describes a full bucket, exactly like an absent key, so
/// such keys are dropped whenever the table reaches `maxKeys`. Only if every key is still busy does
/// the store drop the one closest to full (the least information lost), and counts it in
/// ``evictions``. Batches are charged and, on a denial, refunded under one lock, so no other request
/// ever sees a partial batch.
public final class InMemoryLimiterStore: RateLimiterStore {
    private struct State {
        var tats: [LimiterKey: ContinuousClock.Instant] = [:]
        var evictions = 0
    }

    private let state = Mutex(State())
    /// The most keys kept at once.
    public let maxKeys: Int

    /// A store holding at most `maxKeys` busy buckets (at least 16).
    public init(maxKeys: Int = 100_000) {
        self.maxKeys = max(16, maxKeys)
    }

    /// Buckets currently held (idle ones may linger until the table fills).
    public var keyCount: Int { state.withLock { $0.tats.count } }

    /// Busy buckets dropped because the table was full of busy buckets.
    public var evictions: Int { state.withLock { $0.evictions } }

    public func reset(where isStale: @Sendable (LimiterKey) -> Bool) {
        state.withLock { state in
            state.tats = state.tats.filter { !isStale($0.key) }
        }
    }

    public func acquire(key: LimiterKey, limit: RateLimit, cost: Int, now: ContinuousClock.Instant) -> RateDecision {
        state.withLock { state in
            let step = GCRA.acquire(tat: state.tats[key], limit: limit, cost: cost, now: now)
            if let tat = step.tat { store(tat, for: key, in: &state, now: now) }
            return step.decision
        }
    }

    public func adjust(key: LimiterKey, limit: RateLimit, by delta: Int, now: ContinuousClock.Instant) {
        state.withLock { state in
            let slot = state.tats.index(forKey: key)
            if let tat = GCRA.adjust(tat: slot.map { state.tats.values[$0] }, limit: limit, by: delta, now: now) {
                if let slot { state.tats.values[slot] = tat } else { store(tat, for: key, in: &state, now: now) }
            } else if let slot {
                state.tats.remove(at: slot)
            }
        }
    }

    public func peek(key: LimiterKey, limit: RateLimit, cost: Int, now: ContinuousClock.Instant) -> RateDecision {
        state.withLock { GCRA.peek(tat: $0.tats[key], limit: limit, cost: cost, now: now) }
    }

    public func acquireAll(_ charges: [RateCharge], now: ContinuousClock.Instant) -> BatchDecision {
        state.withLock { state in
            var result = BatchDecision.admitted
            var charged = 0
            for (index, charge) in charges.enumerated() {
                // One hash per charge: the slot found for reading is the one written.
                let slot = state.tats.index(forKey: charge.key)
                let step = GCRA.acquire(
                    tat: slot.map { state.tats.values[$0] },
                    limit: charge.limit,
                    cost: charge.cost,
                    now: now
                )
                if result.allowed, step.decision.allowed {
                    if let tat = step.tat {
                        if let slot {
                            state.tats.values[slot] = tat
                        } else {
                            store(tat, for: charge.key, in: &state, now: now)
                        }
                    }
                    charged = index + 1
                } else if !step.decision.allowed {
                    // After a denial the remaining charges are only looked at, for the longest wait.
                    result.noteDenied(index: index, retryAfter: step.decision.retryAfter)
                }
            }
            guard !result.allowed else { return result }
            // Under the same lock and the same `now`, refunding a charge restores its bucket exactly.
            for charge in charges.prefix(charged) {
                state.tats[charge.key] = GCRA.adjust(
                    tat: state.tats[charge.key],
                    limit: charge.limit,
                    by: -charge.cost,
                    now: now
                )
            }
            return result
        }
    }

    private func store(
        _ tat: ContinuousClock.Instant,
        for key: LimiterKey,
        in state: inout State,
        now: ContinuousClock.Instant
    ) {
        if state.tats.count >= maxKeys, state.tats[key] == nil { makeRoom(in: &state, now: now) }
        state.tats[key] = tat
    }

    private func makeRoom(in state: inout State, now: ContinuousClock.Instant) {
        state.tats = state.tats.filter { $0.value > now }
        guard state.tats.count >= maxKeys,
            let fullest = state.tats.min(by: { $0.value < $1.value })?.key
        else { return }
        state.tats[fullest] = nil
        state.evictions += 1
    }
}
