import Synchronization

/// Carries a connection's events to its supervisor; reports the loss of the connection once, so
/// that the first cause (say, the process exit rather than the end of its output) is the one kept.
final class LossSignal: Sendable {
    private let events: AsyncStream<ConnectionEvent>.Continuation
    private let lost = Mutex(false)

    init(_ events: AsyncStream<ConnectionEvent>.Continuation) {
        self.events = events
    }

    /// Whether the loss was reported.
    var isLost: Bool { lost.withLock { $0 } }

    func reportLost(_ reason: String) {
        let first = lost.withLock { lost in
            defer { lost = true }
            return !lost
        }
        if first { events.yield(.lost(reason)) }
    }

    func reportToolsChanged() {
        events.yield(.toolsChanged)
    }

    func finish() {
        events.finish()
    }
}
