/// Identifies one waiting request; assigned by the queue, never reused by it.
public struct QueueTicket: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: QueueTicket, rhs: QueueTicket) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "#\(rawValue)" }
}

/// A waiting request and what the queue knows about it.
public struct QueueEntry<Payload> {
    public let ticket: QueueTicket
    /// Whose request it is: fairness is kept between tenants.
    public let tenant: TenantKey
    /// Its effective priority (the default one when priorities are disabled).
    public let priority: Int
    public let enqueuedAt: ContinuousClock.Instant
    /// What the caller keeps with it (the request, a continuation, ...).
    public var payload: Payload
}

extension QueueEntry: Sendable where Payload: Sendable {}
extension QueueEntry: Equatable where Payload: Equatable {}
extension QueueEntry: Hashable where Payload: Hashable {}

/// The answer to ``AdmissionQueue/enqueue(_:tenant:priority:now:)``.
public enum EnqueueResult: Sendable, Hashable {
    /// Waiting: `position` 1 is next; `estimatedWait` is `nil` until the queue has served some requests.
    case queued(QueueTicket, position: Int, estimatedWait: Duration?)
    /// The strategy is `reject`: answer `rate_limited` now.
    case rejected
    /// The queue is full: answer `overloaded` now.
    case overloaded
}

/// What ``AdmissionQueue/popFirst(now:where:)``'s caller decides for each candidate.
public enum QueueScan: Sendable, Hashable {
    /// Admit this one: it leaves the queue.
    case take
    /// This one cannot go yet (its own limits); look at the next candidate.
    case skip
    /// Nothing can go now (a limit every candidate shares); stop looking.
    case stop
}
