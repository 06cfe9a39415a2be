import Synchronization

/// What the providers tell the limiter: rate-limit headers, 429s, response times and overloads.
extension Limiter {
    /// Takes in the rate-limit headers of a `member`'s response received at `now`.
    public func observe(_ report: ProviderRateReport, member: String, now: ContinuousClock.Instant) {
        guard !report.isEmpty else { return }
        state.withLock { state in
            guard state.config.pacing.enabled else { return }
            state.pacing[member, default: MemberPacing(settings: state.config.pacing)].observe(report, now: now)
        }
    }

    /// Parses `headers` (name, value pairs) and takes them in; `unixTime` is the wall-clock time of
    /// the response (for RFC 3339 reset times).
    public func observe(
        headers: some Sequence<(String, String)>,
        member: String,
        unixTime: Duration,
        now: ContinuousClock.Instant
    ) {
        observe(ProviderRateReport(headers: headers, unixTime: unixTime), member: member, now: now)
    }

    /// A 429 from `member` at `now`: pauses its admission for `retryAfter` (or the default pause)
    /// and counts as an overload for its adaptive limit.
    public func observeRateLimited(member: String, retryAfter: Duration?, now: ContinuousClock.Instant) {
        state.withLock { state in
            if state.config.pacing.enabled {
                state.pacing[member, default: MemberPacing(settings: state.config.pacing)]
                    .observeRetryAfter(retryAfter, now: now)
            }
            if state.adaptiveLimit(member: member) != nil { state.adaptive[member]?.recordOverload() }
        }
    }

    /// A response time for the permit's member (time to first token for streams): moves its
    /// adaptive limit. Call it before ``finish(_:actual:now:)`` or after; the in-flight count used
    /// includes this request either way.
    public func recordResponse(_ permit: AdmissionPermit, responseTime: Duration) {
        state.withLock { state in
            guard state.adaptiveLimit(member: permit.member) != nil else { return }
            let current = state.scopes[HashedScope(.member(permit.member))]?.inFlight ?? 0
            let inFlight = current + (state.livePermits.contains(permit.id) ? 0 : 1)
            state.adaptive[permit.member]?.record(responseTime: responseTime, inFlight: inFlight)
        }
    }

    /// An overload signal from `member` other than a 429 (503/529, a timeout): lowers its adaptive limit.
    public func recordOverload(member: String) {
        state.withLock { state in
            if state.adaptiveLimit(member: member) != nil { state.adaptive[member]?.recordOverload() }
        }
    }

    /// How long admission to `member` must wait for its provider's limits at `now` (`.zero`: none);
    /// a router may prefer another member meanwhile.
    public func pacingDelay(member: String, now: ContinuousClock.Instant) -> Duration {
        state.withLock { state in
            guard state.config.pacing.enabled else { return .zero }
            return state.pacing[member]?.delay(now: now) ?? .zero
        }
    }

    /// `member`'s current adaptive concurrency limit, or `nil` when it does not adapt.
    public func adaptiveLimit(member: String) -> Int? {
        state.withLock { $0.adaptiveLimit(member: member)?.limit }
    }
}
