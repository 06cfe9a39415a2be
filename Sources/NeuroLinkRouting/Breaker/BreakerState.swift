/// Where a circuit breaker stands.
public enum BreakerState: Sendable, Hashable, CustomStringConvertible {
    /// Calls flow and outcomes are counted.
    case closed
    /// Calls are refused until the cool-down ends.
    case open(until: ContinuousClock.Instant)
    /// A few probe calls are let through to find out whether the member recovered.
    case halfOpen

    /// `closed`, `open` or `half_open`, as logs and status show it.
    public var name: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half_open"
        }
    }

    public var description: String { name }
}

/// A change of breaker state, returned so that the caller can log it.
public struct BreakerTransition: Sendable, Hashable, CustomStringConvertible {
    /// The state before the change.
    public var from: BreakerState
    /// The state after it; `.open(until:)` carries the end of the cool-down.
    public var to: BreakerState
    /// Why, e.g. "5 consecutive failures (last: overloaded)" or "3 probes succeeded".
    public var reason: String

    public init(from: BreakerState, to: BreakerState, reason: String) {
        self.from = from
        self.to = to
        self.reason = reason
    }

    public var description: String { "\(from.name) → \(to.name): \(reason)" }
}
