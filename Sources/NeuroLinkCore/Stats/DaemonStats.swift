import NeuroLinkProtocol
import Synchronization

/// Counters the `status` method reports: requests by outcome, chunks and tokens since start, and
/// open connections. Updated once per request, from its record, never per chunk.
public final class DaemonStats: RequestRecorder {
    private struct State {
        var totals = Totals()
        var activeConnections = 0
    }

    private let state = Mutex(State())
    public init() {}

    /// A request began (counted in `requests` at once; its outcome when it ends).
    public func requestStarted() {
        state.withLock { $0.totals.requests &+= 1 }
    }

    public func record(_ record: RequestRecord) {
        state.withLock {
            $0.totals.chunks = $0.totals.chunks.addingSaturated(record.chunks)
            $0.totals.inputTokens = $0.totals.inputTokens.addingSaturated(record.usage?.inputTokens ?? 0)
            $0.totals.outputTokens = $0.totals.outputTokens.addingSaturated(record.usage?.outputTokens ?? 0)
            switch record.outcome {
            case .success: $0.totals.succeeded &+= 1
            case .cancelled, .clientGone: $0.totals.cancelled &+= 1
            case .error, .rejected, .queueTimeout, .shutDown: $0.totals.failed &+= 1
            }
        }
    }

    public func connectionOpened() { state.withLock { $0.activeConnections += 1 } }
    public func connectionClosed() { state.withLock { $0.activeConnections -= 1 } }

    public var snapshot: (totals: Totals, activeConnections: Int) {
        state.withLock { ($0.totals, $0.activeConnections) }
    }
}

extension Int {
    /// `self + other`, held at `Int.max` / `Int.min` instead of trapping; a negative `other`
    /// (which no counter should see) counts as 0.
    func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(Swift.max(0, other))
        return overflow ? .max : sum
    }
}
