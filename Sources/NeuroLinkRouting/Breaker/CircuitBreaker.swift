import NeuroLinkBasics
import NeuroLinkProtocol

/// A circuit breaker as a value: a state machine advanced only by the calls below, with the
/// time passed in, so it can be tested without a clock and kept under any lock the owner likes.
///
/// - closed: every call is allowed; transient failures are counted. `consecutiveFailures` in a
///   row, or a failure share of at least `failureRateThreshold` over the last `windowSize` calls
///   (once `minimumCalls` are in), trips it open. A `rate_limited` failure carrying a retry-after
///   trips it at once, for exactly that long.
/// - open: calls are refused until the cool-down ends (base × 2^(trips in a row − 1), capped),
///   then it is half-open.
/// - half-open: up to `halfOpenProbes` calls at a time go through; that many successes close it
///   (and reset the cool-down growth), any transient failure opens it again with a longer cool-down.
///
/// Only transient failure classes count: an invalid request or a rejected credential says
/// nothing about whether the member is up. Callers pass `mayOpen: false` for the last member of a
/// pool still in service: the failure is recorded, but the breaker does not open.
public struct CircuitBreaker: Sendable, Hashable {
    /// When the breaker trips and for how long.
    public let policy: BreakerPolicy
    /// Times the breaker has opened since it was created.
    public private(set) var trips = 0

    private var phase: Phase = .closed
    private var consecutive = 0
    private var window: OutcomeWindow
    /// Trips since the breaker last closed from half-open: the exponent of the cool-down.
    private var streak = 0

    private enum Phase: Sendable, Hashable {
        case closed
        case open(until: ContinuousClock.Instant)
        /// `inFlight` probes were let through and have not reported; `successes` have succeeded.
        case halfOpen(inFlight: Int, successes: Int)
    }

    public init(policy: BreakerPolicy = BreakerPolicy()) {
        self.policy = policy
        window = OutcomeWindow(capacity: policy.windowSize)
    }

    /// The state at `now`: an open breaker whose cool-down has ended reads as half-open.
    public func state(now: ContinuousClock.Instant) -> BreakerState {
        switch phase {
        case .closed: .closed
        case .open(let until): now < until ? .open(until: until) : .halfOpen
        case .halfOpen: .halfOpen
        }
    }

    /// Transient failures in a row while closed.
    public var consecutiveFailures: Int { consecutive }

    /// Whether ``tryAcquire(now:)`` would let a call through at `now`, without taking a probe slot.
    public func wouldAllow(now: ContinuousClock.Instant) -> Bool {
        switch phase {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen(let inFlight, let successes): inFlight + successes < policy.halfOpenProbes
        }
    }

    /// Asks to make a call at `now`. In half-open state this takes one of the probe slots, which the
    /// call's ``recordSuccess(now:)``, ``recordFailure(_:retryAfter:mayOpen:now:)`` or
    /// ``abandon()`` gives back.
    public mutating func tryAcquire(now: ContinuousClock.Instant) -> Bool {
        advance(now: now)
        switch phase {
        case .closed:
            return true
        case .open:
            return false
        case .halfOpen(let inFlight, let successes):
            guard inFlight + successes < policy.halfOpenProbes else { return false }
            phase = .halfOpen(inFlight: inFlight + 1, successes: successes)
            return true
        }
    }

    /// A call succeeded. Returns the transition when this closes a half-open breaker.
    @discardableResult
    public mutating func recordSuccess(now: ContinuousClock.Instant) -> BreakerTransition? {
        advance(now: now)
        switch phase {
        case .closed:
            consecutive = 0
            window.record(failed: false)
            return nil
        case .open:
            // A call that began before the trip: too late to say anything about the member now.
            return nil
        case .halfOpen(let inFlight, let successes):
            let succeeded = successes + 1
            guard succeeded >= policy.halfOpenProbes else {
                phase = .halfOpen(inFlight: max(0, inFlight - 1), successes: succeeded)
                return nil
            }
            close()
            return BreakerTransition(from: .halfOpen, to: .closed, reason: "\(succeeded) probes succeeded")
        }
    }

    /// A call failed with `failureClass`. Returns the transition when the breaker opens.
    ///
    /// - Parameters:
    ///   - retryAfter: the provider's requested wait; with `rate_limited` it opens the breaker for
    ///     exactly that long, regardless of the counters.
    ///   - mayOpen: `false` for the last member still in service: counted, but never opened.
    @discardableResult
    public mutating func recordFailure(
        _ failureClass: FailureClass,
        retryAfter: Duration?,
        mayOpen: Bool,
        now: ContinuousClock.Instant
    ) -> BreakerTransition? {
        advance(now: now)
        guard failureClass.isTransient else {
            abandon()  // A probe that proved nothing gives its slot back.
            return nil
        }
        let hinted = failureClass == .rateLimited ? retryAfter.flatMap { $0 > .zero ? $0 : nil } : nil
        switch phase {
        case .closed:
            consecutive += 1
            window.record(failed: true)
            guard mayOpen, let (duration, reason) = tripReason(failureClass, hinted: hinted) else { return nil }
            return open(from: .closed, for: duration, reason: reason, grows: hinted == nil, now: now)
        case .open(let until):
            // A late failure of a call that began before the trip; a longer retry-after still counts.
            if mayOpen, let hinted, now + hinted > until { phase = .open(until: now + hinted) }
            return nil
        case .halfOpen(let inFlight, let successes):
            guard mayOpen else {
                phase = .halfOpen(inFlight: max(0, inFlight - 1), successes: successes)
                return nil
            }
            let duration = hinted ?? policy.openDuration(streak: streak + 1)
            return open(
                from: .halfOpen,
                for: duration,
                reason: "probe failed (\(failureClass))",
                grows: hinted == nil,
                now: now
            )
        }
    }

    /// A call ended without an outcome (cancelled by the client, daemon shutting down): gives back
    /// its half-open probe slot, if it held one.
    public mutating func abandon() {
        if case .halfOpen(let inFlight, let successes) = phase {
            phase = .halfOpen(inFlight: max(0, inFlight - 1), successes: successes)
        }
    }

    // MARK: - Transitions

    /// Open → half-open once the cool-down is over, so that every entry point sees the same state.
    private mutating func advance(now: ContinuousClock.Instant) {
        if case .open(let until) = phase, now >= until {
            phase = .halfOpen(inFlight: 0, successes: 0)
        }
    }

    /// The cool-down and reason when the counters (or a retry-after) call for a trip.
    private func tripReason(_ failureClass: FailureClass, hinted: Duration?) -> (Duration, String)? {
        if let hinted {
            return (hinted, "rate limited, retry-after \(Self.format(hinted))")
        }
        let duration = policy.openDuration(streak: streak + 1)
        if consecutive >= policy.consecutiveFailures {
            return (duration, "\(consecutive) consecutive failures (last: \(failureClass))")
        }
        if window.count >= policy.minimumCalls, window.failureRate >= policy.failureRateThreshold {
            let percent = Int((window.failureRate * 100).rounded())
            return (duration, "failure rate \(percent)% over the last \(window.count) calls (last: \(failureClass))")
        }
        return nil
    }

    /// - Parameter grows: whether this trip lengthens the next cool-down; a provider-given
    ///   retry-after says when the member is back and is no evidence of a lasting outage.
    private mutating func open(
        from: BreakerState,
        for duration: Duration,
        reason: String,
        grows: Bool,
        now: ContinuousClock.Instant
    ) -> BreakerTransition {
        let until = now + duration
        phase = .open(until: until)
        trips += 1
        if grows { streak += 1 }
        consecutive = 0
        // Outcomes before the trip must not trip it again right after it closes.
        window.reset()
        return BreakerTransition(
            from: from,
            to: .open(until: until),
            reason: "\(reason); open for \(Self.format(duration))"
        )
    }

    private mutating func close() {
        phase = .closed
        consecutive = 0
        streak = 0
        window.reset()
    }

    static func format(_ duration: Duration) -> String {
        let tenths = Int((duration.secondsValue * 10).rounded().clamped(to: 0...1e12))
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
