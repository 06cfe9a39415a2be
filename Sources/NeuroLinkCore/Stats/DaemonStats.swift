import NeuroLinkBasics
import NeuroLinkProtocol
import Synchronization

/// Counters the `status` method reports: requests by outcome, chunks and tokens since start, and
/// open connections. Updated once per request, from its record, never per chunk.
///
/// Totals that add up what providers report (tokens) or what a stream produced (chunks) saturate
/// at `Int.maxSafeJSONInteger` (2⁵³ − 1) instead of overflowing: one provider reporting absurd
/// usage must not bring the daemon down.
public final class DaemonStats: RequestRecorder {
    private struct State {
        var totals = Totals()
        var activeConnections = 0
    }

    private let state = Mutex(State())
    public init() {}

    /// A request began (counted in `requests` at once; its outcome when it ends).
    public func requestStarted() {
        state.withLock { $0.totals.requests = $0.totals.requests.addingCount(1) }
    }

    public func record(_ record: RequestRecord) {
        state.withLock {
            $0.totals.chunks = $0.totals.chunks.addingCount(record.chunks)
            $0.totals.inputTokens = $0.totals.inputTokens.addingCount(record.usage?.inputTokens ?? 0)
            $0.totals.outputTokens = $0.totals.outputTokens.addingCount(record.usage?.outputTokens ?? 0)
            switch record.outcome {
            case .success: $0.totals.succeeded = $0.totals.succeeded.addingCount(1)
            case .cancelled, .clientGone: $0.totals.cancelled = $0.totals.cancelled.addingCount(1)
            case .error, .rejected, .queueTimeout, .shutDown: $0.totals.failed = $0.totals.failed.addingCount(1)
            }
        }
    }

    public func connectionOpened() { state.withLock { $0.activeConnections += 1 } }
    public func connectionClosed() { state.withLock { $0.activeConnections -= 1 } }

    public var snapshot: (totals: Totals, activeConnections: Int) {
        state.withLock { ($0.totals, $0.activeConnections) }
    }
}
