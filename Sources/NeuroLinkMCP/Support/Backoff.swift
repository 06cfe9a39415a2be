/// Exponential backoff between restarts of one server.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var next: Duration

    init(initial: Duration, maximum: Duration) {
        self.initial = max(initial, .milliseconds(1))
        self.maximum = max(maximum, self.initial)
        self.next = self.initial
    }

    /// The delay before the next attempt; each call doubles the following one, up to the maximum.
    mutating func take() -> Duration {
        let delay = next
        next = min(next * 2, maximum)
        return delay
    }

    /// Called after a connection stayed up for a while: a server that crashes once a day should
    /// not wait the maximum delay.
    mutating func reset() {
        next = initial
    }
}
