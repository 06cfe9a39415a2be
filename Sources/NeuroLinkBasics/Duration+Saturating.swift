/// Which way a conversion to whole units rounds.
public enum WholeUnitRounding: Sendable, Hashable {
    /// Toward +∞: a wait that is not over never reads as 0.
    case up
    /// Toward −∞: an elapsed time never reads as longer than it was.
    case down
}

/// Conversions between `Duration` and plain numbers that never trap. A `Duration` holds about
/// ±1.7 × 10²⁰ seconds; milliseconds of that do not fit in an `Int`, so conversions saturate at
/// `Int.min`/`Int.max`, and conversions from `Double` map NaN to zero.
extension Duration {
    static let attosecondsPerMillisecond: Int128 = 1_000_000_000_000_000

    /// Whole milliseconds, rounded `up` (default) or `down`, clamped to `Int`'s range.
    public func wholeMilliseconds(rounding: WholeUnitRounding = .up) -> Int {
        let (quotient, remainder) = attoseconds.quotientAndRemainder(dividingBy: Self.attosecondsPerMillisecond)
        var milliseconds = quotient
        switch rounding {
        case .up where remainder > 0: milliseconds += 1
        case .down where remainder < 0: milliseconds -= 1
        default: break
        }
        return Int(clamping: milliseconds)
    }

    /// Milliseconds as a `Double` (fractional), for averages and display; never for limits.
    public var millisecondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// Seconds as a `Double` (fractional), for averages and display; never for limits.
    public var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `milliseconds` (any `Int`, negative included) as a duration; exact, never traps.
    public static func milliseconds(saturating milliseconds: Int) -> Duration {
        .milliseconds(Int64(milliseconds))
    }

    /// `seconds` as a duration, clamped to `range`: NaN gives `range.lowerBound`, infinities and
    /// values beyond the range its bounds. `Duration.seconds(_: Double)` traps on those.
    public static func seconds(saturating seconds: Double, in range: ClosedRange<Duration>) -> Duration {
        guard !seconds.isNaN else { return range.lowerBound }
        if seconds <= range.lowerBound.secondsValue { return range.lowerBound }
        if seconds >= range.upperBound.secondsValue { return range.upperBound }
        return min(max(.seconds(seconds), range.lowerBound), range.upperBound)
    }

    /// `self` clamped to `range`.
    public func clamped(to range: ClosedRange<Duration>) -> Duration {
        min(max(self, range.lowerBound), range.upperBound)
    }
}

extension ContinuousClock.Instant {
    /// Whole milliseconds from `now` until `self`, rounded up; 0 when `self` is not after `now`.
    public func millisecondsLeft(after now: ContinuousClock.Instant) -> Int {
        self > now ? (self - now).wholeMilliseconds(rounding: .up) : 0
    }
}
