/// Integer arithmetic that cannot trap: every number that comes from outside the daemon (a
/// provider's header or usage report, a client's parameter, the configuration) goes through
/// these before it is added up, multiplied or converted. Results outside `Int`'s range stick to
/// `Int.min` or `Int.max` instead of overflowing.
extension Int {
    /// `self + other`, or `Int.max`/`Int.min` when the exact sum is outside `Int`'s range.
    @inlinable
    public func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, or `Int.max`/`Int.min` when the exact difference is outside `Int`'s range.
    @inlinable
    public func subtractingSaturating(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other < 0 ? .max : .min
    }

    /// `self × other`, or `Int.max`/`Int.min` when the exact product is outside `Int`'s range.
    @inlinable
    public func multipliedSaturating(by other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }

    /// Adds `other` in place, saturating (see ``addingSaturating(_:)``).
    @inlinable
    public mutating func addSaturating(_ other: Int) {
        self = addingSaturating(other)
    }

    /// `value` rounded by `rule` and clamped to `Int`'s range: NaN gives 0, `+∞` and anything above
    /// `Int.max` give `Int.max`, `−∞` and anything below `Int.min` give `Int.min`.
    ///
    /// `Int(_:)` traps on all of those; this never does.
    @inlinable
    public init(saturating value: Double, rounding rule: FloatingPointRoundingRule = .towardZero) {
        guard !value.isNaN else {
            self = 0
            return
        }
        let rounded = value.rounded(rule)
        // 2⁶³ is exactly representable; `Double(Int.max)` rounds up to it, so compare with `>=`.
        if rounded >= 9_223_372_036_854_775_808.0 {
            self = .max
        } else if rounded < -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int(rounded)
        }
    }

    /// A count from outside (tokens, bytes, items): negative values become 0.
    @inlinable
    public var nonNegative: Int { Swift.max(0, self) }

    /// 2⁵³ − 1, the largest integer that every JSON reader holds exactly: JavaScript's
    /// `Number.MAX_SAFE_INTEGER`, and the bound of readers that parse numbers as `Double`
    /// (NeuroLinkClient's own `JSONValue` among them). Counts the daemon reports stay within it.
    public static let maxSafeJSONInteger = 9_007_199_254_740_991

    /// `self` clamped to `0...maxSafeJSONInteger`: the range of every count the daemon reports.
    @inlinable
    public var clampedCount: Int { Swift.min(Swift.max(0, self), .maxSafeJSONInteger) }

    /// `self + other` for counts: both clamped to `0...maxSafeJSONInteger` first, and the sum
    /// saturating at `maxSafeJSONInteger`.
    @inlinable
    public func addingCount(_ other: Int) -> Int {
        Swift.min(clampedCount + other.clampedCount, .maxSafeJSONInteger)
    }
}
