import NeuroLinkBasics

/// One member's admission pacing from what the provider itself reported: its rate-limit headers and
/// its 429s. The aim is to slow down before the provider starts refusing.
///
/// - A window with **0 remaining** pauses admission until its reset.
/// - A window **below the low watermark** (e.g. under 10% of its limit left) spreads what is left over
///   the time until its reset: one request every `timeToReset / requestsLeft`.
/// - A **429** with `retry-after` pauses admission for exactly that long.
///
/// Between responses the reported request count is decremented locally on each admission, so a
/// burst of admissions cannot overrun a window the provider has not re-reported yet. A value type:
/// the limiter keeps one per member under its lock.
public struct MemberPacing: Sendable, Hashable {
    /// A reported window as the member's state keeps it.
    public struct Window: Sendable, Hashable {
        /// The limit, if ever reported.
        public var limit: Int?
        /// Units left (as reported, minus local admissions for requests), if ever reported.
        public var remaining: Int?
        /// When the window resets; `nil` when the provider did not say.
        public var resetAt: ContinuousClock.Instant?
    }

    /// Where admission to the member stands.
    public enum State: Sendable, Hashable {
        /// Admission is not slowed.
        case open
        /// Admission is spread out: one request per `interval`.
        case paced(interval: Duration)
        /// Admission is paused until `until`.
        case paused(until: ContinuousClock.Instant)
    }

    public var settings: PacingSettings
    /// The windows last reported, by dimension.
    public private(set) var windows: [LimitDimension: Window] = [:]
    /// The end of a 429's pause.
    public private(set) var retryUntil: ContinuousClock.Instant?
    /// The earliest next admission while paced.
    public private(set) var nextSlot: ContinuousClock.Instant?
    /// Tokens one request uses, estimated from successive reports of a token window.
    public private(set) var tokensPerRequest: Double?

    public init(settings: PacingSettings = PacingSettings()) {
        self.settings = settings
    }

    /// Takes in the windows of one response's report (received at `now`).
    public mutating func observe(_ report: ProviderRateReport, now: ContinuousClock.Instant) {
        guard settings.enabled else { return }
        for dimension in LimitDimension.allCases {
            let reported = report[dimension]
            guard !reported.isEmpty else { continue }
            var window = windows[dimension] ?? Window(limit: nil, remaining: nil, resetAt: nil)
            let stillOpen = window.resetAt.map { $0 > now } ?? false
            if let remaining = reported.remaining {
                if dimension != .requests, stillOpen, let previous = window.remaining, remaining < previous {
                    learnTokensPerRequest(Double(previous - remaining))
                }
                window.remaining = remaining
            }
            if let limit = reported.limit { window.limit = limit }
            if let reset = reported.resetAfter {
                window.resetAt = now + reset.clamped(to: ProviderRateReport.resetRange)
            } else if !stillOpen {
                // Unknown reset: "0 remaining" still must pause, for the default while.
                window.resetAt = window.remaining == 0 ? now + settings.defaultPause : nil
            }
            windows[dimension] = window
        }
    }

    /// A 429 at `now`: pauses admission for `retryAfter` (clamped to
    /// ``ProviderRateReport/resetRange``), or the default pause when it was not given.
    public mutating func observeRetryAfter(_ retryAfter: Duration?, now: ContinuousClock.Instant) {
        guard settings.enabled else { return }
        retryUntil = now + (retryAfter ?? settings.defaultPause).clamped(to: ProviderRateReport.resetRange)
    }

    /// How long admission must wait at `now`; `.zero` when it may go.
    public func delay(now: ContinuousClock.Instant) -> Duration {
        guard settings.enabled else { return .zero }
        return max(pausedUntil(now: now) ?? now, nextSlot ?? now, now) - now
    }

    /// Where admission stands at `now`, for status.
    public func state(now: ContinuousClock.Instant) -> State {
        guard settings.enabled else { return .open }
        if let until = pausedUntil(now: now) { return .paused(until: until) }
        let interval = pacingInterval(now: now)
        if interval > .zero { return .paced(interval: interval) }
        if let nextSlot, nextSlot > now { return .paced(interval: nextSlot - now) }
        return .open
    }

    /// The end of a pause (a 429, or a window with nothing left) still running at `now`.
    private func pausedUntil(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        var until = retryUntil.flatMap { $0 > now ? $0 : nil }
        for window in windows.values where (window.remaining ?? 1) <= 0 {
            if let reset = window.resetAt, reset > (until ?? now) { until = reset }
        }
        return until
    }

    /// Records an admission at `now`: spends one reported request and, while paced, moves the next
    /// slot one interval on.
    public mutating func recordAdmission(now: ContinuousClock.Instant) {
        guard settings.enabled else { return }
        let interval = pacingInterval(now: now)
        if var window = windows[.requests], let remaining = window.remaining, remaining > 0,
            window.resetAt.map({ $0 > now }) ?? true
        {
            window.remaining = remaining - 1
            windows[.requests] = window
        }
        if interval > .zero {
            nextSlot = max(nextSlot ?? now, now) + interval
        } else if let slot = nextSlot, slot <= now {
            nextSlot = nil
        }
    }

    /// The spacing windows below the low watermark ask for at `now`: the longest over such windows
    /// of `timeToReset / requestsLeft`; `.zero` when none is low.
    public func pacingInterval(now: ContinuousClock.Instant) -> Duration {
        var interval = Duration.zero
        for (dimension, window) in windows {
            guard let limit = window.limit, limit > 0, let reset = window.resetAt, reset > now,
                let remaining = window.remaining, remaining > 0,
                Double(remaining) < settings.lowWatermark * Double(limit)
            else { continue }
            let requestsLeft: Int
            if dimension == .requests {
                requestsLeft = remaining
            } else {
                let perRequest = max(1, tokensPerRequest ?? Double(settings.defaultTokensPerRequest))
                requestsLeft = max(1, Int(saturating: Double(remaining) / perRequest))
            }
            interval = max(interval, (reset - now) / requestsLeft)
        }
        return interval
    }

    private mutating func learnTokensPerRequest(_ sample: Double) {
        // Successive reports may span several requests; smoothing keeps one odd gap from dominating.
        tokensPerRequest = tokensPerRequest.map { 0.8 * $0 + 0.2 * sample } ?? sample
    }
}
