/// Exact integer arithmetic on durations: the limiters compare and divide durations, and
/// `Duration / Duration` answers a `Double`, whose rounding would make bucket edges fuzzy.
extension Duration {
    static let attosecondsPerSecond: Int128 = 1_000_000_000_000_000_000

    /// The whole duration in attoseconds.
    var totalAttoseconds: Int128 {
        let (seconds, attoseconds) = components
        return Int128(seconds) * Self.attosecondsPerSecond + Int128(attoseconds)
    }

    /// A duration of `attoseconds`, saturating at the representable range instead of trapping.
    init(totalAttoseconds attoseconds: Int128) {
        let (seconds, rest) = attoseconds.quotientAndRemainder(dividingBy: Self.attosecondsPerSecond)
        self.init(secondsComponent: Int64(clamping: seconds), attosecondsComponent: Int64(rest))
    }

    /// How many whole `unit`s fit into this duration (rounded down; 0 when either is not positive).
    func wholeUnits(of unit: Duration) -> Int {
        let divisor = unit.totalAttoseconds
        let dividend = totalAttoseconds
        guard divisor > 0, dividend > 0 else { return 0 }
        return Int(clamping: dividend / divisor)
    }
}
