import NeuroLinkBasics

/// Duration arithmetic routing needs beyond NeuroLinkBasics' conversions (milliseconds, seconds as
/// `Double`): scaling cool-downs. Kept internal (and oddly named) so they never collide with the
/// `Duration` helpers other modules of the package make public.
extension Duration {
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
    /// "+12.3 s": the time from `now` until `self`, for skip reasons.
    func routingRelative(to now: ContinuousClock.Instant) -> String {
        let tenths = Int((max(0, (self - now).secondsValue) * 10).rounded(.up).clamped(to: 0...1e12))
        return "+\(tenths / 10).\(tenths % 10) s"
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
