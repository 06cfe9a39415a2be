import NeuroLinkProtocol
import NeuroLinkRouting
@_exported import NeuroLinkTestSupport

/// A fixed origin for instants; tests only ever move forward from it with `advanced(by:)`.
let base = ContinuousClock.now

func at(_ seconds: Double) -> ContinuousClock.Instant {
    base.advanced(by: .milliseconds(Int64((seconds * 1000).rounded())))
}

func members(_ count: Int) -> [MemberSpec] {
    (0..<count).map { MemberSpec(provider: "p\($0)", model: "m") }
}

/// A breaker in a box: `#expect` cannot evaluate mutating calls, so tests go through a reference.
final class BreakerBox {
    var breaker: CircuitBreaker

    init(_ policy: BreakerPolicy = BreakerPolicy()) {
        breaker = CircuitBreaker(policy: policy)
    }

    func acquire(_ now: ContinuousClock.Instant) -> Bool {
        breaker.tryAcquire(now: now)
    }

    func succeed(_ now: ContinuousClock.Instant) -> BreakerTransition? {
        breaker.recordSuccess(now: now)
    }

    func fail(
        _ failureClass: FailureClass,
        retryAfter: Duration? = nil,
        mayOpen: Bool = true,
        _ now: ContinuousClock.Instant
    ) -> BreakerTransition? {
        breaker.recordFailure(failureClass, retryAfter: retryAfter, mayOpen: mayOpen, now: now)
    }

    /// A `server` failure.
    func fail(mayOpen: Bool = true, _ now: ContinuousClock.Instant) -> BreakerTransition? {
        fail(.server, mayOpen: mayOpen, now)
    }

    func state(_ now: ContinuousClock.Instant) -> BreakerState {
        breaker.state(now: now)
    }
}

/// A selector in a box, for the same reason.
final class SelectorBox {
    var selector: MemberSelector

    init(_ strategy: RoutingStrategy) {
        selector = MemberSelector(strategy: strategy)
    }

    func order(_ candidates: [CandidateSnapshot]) -> [Int] {
        selector.order(candidates)
    }
}
