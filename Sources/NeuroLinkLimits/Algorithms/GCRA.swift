/// The generic cell rate algorithm: a token bucket whose whole state is one instant per key, the
/// theoretical arrival time (TAT) at which the bucket would be full again.
///
/// A charge of `cost` units is admitted when `max(TAT, now) + cost·T − now ≤ capacity·T` (with `T` the
/// emission interval); it then stores `TAT = max(TAT, now) + cost·T`. For `cost == 1` this is the
/// familiar `now ≥ TAT − burst·T`. Because the state is a single value, a shared store such as Redis
/// can hold one key per bucket and update it in one script. A missing TAT, or one in the past, means
/// a full bucket: such keys carry no information and may be dropped.
///
/// Every function is pure: the caller supplies the stored TAT and `now`, and stores the result.
public enum GCRA {
    /// The outcome of ``acquire(tat:limit:cost:now:)``.
    public struct Step: Sendable, Hashable {
        /// The decision for this charge.
        public var decision: RateDecision
        /// The TAT to store, or `nil` when the stored state is unchanged (denied, or a zero cost).
        public var tat: ContinuousClock.Instant?
    }

    /// Charges `cost` units at `now` if the bucket allows it.
    public static func acquire(
        tat: ContinuousClock.Instant?,
        limit: RateLimit,
        cost: Int,
        now: ContinuousClock.Instant
    ) -> Step {
        let cost = max(0, cost)
        let base = max(tat ?? now, now)
        let used = base - now
        guard cost <= limit.capacity else {
            // More than a full bucket: waiting cannot help.
            return Step(decision: denied(limit: limit, used: used, retryAfter: nil), tat: nil)
        }
        let newTAT = base + limit.rate.interval * cost
        let needed = newTAT - now
        guard needed <= limit.window else {
            return Step(decision: denied(limit: limit, used: used, retryAfter: needed - limit.window), tat: nil)
        }
        let decision = RateDecision(
            allowed: true,
            retryAfter: .zero,
            remaining: (limit.window - needed).wholeUnits(of: limit.rate.interval),
            resetAfter: needed,
            limit: limit.capacity
        )
        return Step(decision: decision, tat: cost == 0 ? nil : newTAT)
    }

    /// What ``acquire(tat:limit:cost:now:)`` would decide, without a new state to store.
    public static func peek(
        tat: ContinuousClock.Instant?,
        limit: RateLimit,
        cost: Int,
        now: ContinuousClock.Instant
    ) -> RateDecision {
        acquire(tat: tat, limit: limit, cost: cost, now: now).decision
    }

    /// Moves the bucket by `delta` units without a check: a positive delta charges (and may run the
    /// bucket into debt, delaying later charges), a negative one refunds. Refunding exactly what an
    /// `acquire` charged at the same `now` undoes it.
    ///
    /// - Returns: the TAT to store, or `nil` when the bucket is full afterwards (the key may be dropped).
    public static func adjust(
        tat: ContinuousClock.Instant?,
        limit: RateLimit,
        by delta: Int,
        now: ContinuousClock.Instant
    ) -> ContinuousClock.Instant? {
        // The bound keeps `interval × delta` far inside Duration's range whatever the caller passes.
        let delta = min(max(delta, -(1 << 40)), 1 << 40)
        let newTAT = max(tat ?? now, now) + limit.rate.interval * delta
        return newTAT > now ? newTAT : nil
    }

    private static func denied(limit: RateLimit, used: Duration, retryAfter: Duration?) -> RateDecision {
        RateDecision(
            allowed: false,
            retryAfter: retryAfter,
            remaining: (limit.window - used).wholeUnits(of: limit.rate.interval),
            resetAfter: used,
            limit: limit.capacity
        )
    }
}
