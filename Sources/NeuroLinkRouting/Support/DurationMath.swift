/// Conversions between `Duration` and plain numbers. Kept internal (and oddly named) so they never
/// collide with the `Duration` helpers other modules of the package make public.
extension Duration {
    /// Milliseconds as a floating-point number, for averages and human-readable output.
    var routingMilliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// Seconds as a floating-point number.
    var routingSeconds: Double { routingMilliseconds / 1000 }

    /// Whole nanoseconds, saturating instead of overflowing: provider hints and configuration
    /// values end up here and must never trap.
    var routingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// `self` scaled by `factor`, saturating at `limit`; used for cool-downs that double per trip.
    func routingScaled(by factor: Int64, limit: Duration) -> Duration {
        let (product, overflow) = routingNanoseconds.multipliedReportingOverflow(by: max(0, factor))
        let limitNs = limit.routingNanoseconds
        return .nanoseconds(overflow ? limitNs : min(product, limitNs))
    }
}

extension ContinuousClock.Instant {
    /// Whole milliseconds from `now` until `self` (0 when already past), as status shows it.
    func routingMilliseconds(after now: ContinuousClock.Instant) -> Int {
        let remaining = (self - now).routingMilliseconds
        guard remaining > 0 else { return 0 }
        return remaining >= Double(Int.max) ? Int.max : Int(remaining.rounded(.up))
    }

    /// "+12.3 s": the time from `now` until `self`, for skip reasons.
    func routingRelative(to now: ContinuousClock.Instant) -> String {
        let tenths = Int((max(0, (self - now).routingSeconds) * 10).rounded(.up).clamped(to: 0...1e12))
        return "+\(tenths / 10).\(tenths % 10) s"
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
