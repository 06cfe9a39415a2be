import NeuroLinkBasics

/// A steady rate: `count` units (requests or tokens) per `period`.
///
/// Rates are kept as a whole count over a period rather than a floating-point value per second, so
/// that `perMinute(7)` means exactly seven per minute and bucket edges fall where one expects.
public struct Rate: Sendable, Hashable, CustomStringConvertible {
    /// Units per `period`; at least 1.
    public let count: Int
    /// The period the count refers to; positive.
    public let period: Duration
    /// The time one unit costs at this rate (`period / count`): the GCRA emission interval.
    public let interval: Duration

    /// `count` units per `period`. A count below 1 is raised to 1 and a non-positive period becomes
    /// one second: the configuration loader rejects such values, so this only keeps the type total.
    public init(_ count: Int, per period: Duration) {
        // The upper bound keeps the interval at least a few attoseconds.
        self.count = min(max(1, count), 1_000_000_000_000)
        self.period = period > .zero ? period : .seconds(1)
        interval = self.period / self.count
    }

    /// `count` units per second.
    public static func perSecond(_ count: Int) -> Rate { Rate(count, per: .seconds(1)) }

    /// `count` units per minute.
    public static func perMinute(_ count: Int) -> Rate { Rate(count, per: .seconds(60)) }

    /// A fractional rate per second such as `2.5`; kept exact to a thousandth of a unit.
    public static func perSecond(_ value: Double) -> Rate {
        guard value.isFinite, value > 0 else { return Rate(1, per: .seconds(1)) }
        if value.rounded() == value, value < 1e12 { return perSecond(Int(value)) }
        let thousandths = (value * 1000).rounded()
        return Rate(thousandths < 1e15 ? Int(thousandths) : 1_000_000_000_000, per: .seconds(1000))
    }

    /// Units per second, for display.
    public var perSecondValue: Double { Double(count) / period.secondsValue }

    public var description: String {
        switch period {
        case .seconds(1): "\(count)/s"
        case .seconds(60): "\(count)/min"
        case .seconds(3600): "\(count)/h"
        default: "\(count)/\(period)"
        }
    }
}
