/// A classic token bucket: `capacity` tokens, refilled continuously at `rate`, spent by admissions.
///
/// The limiter itself uses ``GCRA``, which stores one instant per key instead of a token count and a
/// timestamp. This type states plainly what the limits mean, and the tests show that a bucket of
/// `burst + 1` tokens admits exactly what GCRA admits. Tokens are kept in exact integer arithmetic
/// (scaled by the rate's period) so that no rounding blurs that comparison.
public struct TokenBucket: Sendable, Hashable {
    /// The refill rate.
    public let rate: Rate
    /// The most tokens the bucket holds.
    public let capacity: Int
    /// Tokens × `rate.period` in attoseconds: refilling for `e` attoseconds adds `e × rate.count`,
    /// one token is `period` attoseconds. Exact for any count and period.
    private var scaledTokens: Int128
    private var updatedAt: ContinuousClock.Instant
    private let scaledCapacity: Int128
    private let scaledToken: Int128

    /// A full bucket at `now`.
    public init(rate: Rate, capacity: Int, now: ContinuousClock.Instant) {
        self.rate = rate
        self.capacity = max(1, capacity)
        scaledToken = rate.period.totalAttoseconds
        scaledCapacity = Int128(self.capacity) * scaledToken
        scaledTokens = scaledCapacity
        updatedAt = now
    }

    /// The bucket that matches `limit`: `limit.capacity` tokens refilled at `limit.rate`.
    public init(limit: RateLimit, now: ContinuousClock.Instant) {
        self.init(rate: limit.rate, capacity: limit.capacity, now: now)
    }

    /// Takes `cost` tokens if the bucket holds that many at `now`.
    public mutating func tryConsume(_ cost: Int = 1, now: ContinuousClock.Instant) -> Bool {
        refill(now: now)
        let needed = Int128(max(0, cost)) * scaledToken
        guard needed <= scaledTokens else { return false }
        scaledTokens -= needed
        return true
    }

    /// Whole tokens available at `now`.
    public func available(now: ContinuousClock.Instant) -> Int {
        var copy = self
        copy.refill(now: now)
        return Int(clamping: copy.scaledTokens / scaledToken)
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        guard now > updatedAt else { return }
        let (added, overflow) = (now - updatedAt).totalAttoseconds.multipliedReportingOverflow(by: Int128(rate.count))
        let (sum, sumOverflow) = scaledTokens.addingReportingOverflow(added)
        scaledTokens = overflow || sumOverflow ? scaledCapacity : min(scaledCapacity, sum)
        updatedAt = now
    }
}
