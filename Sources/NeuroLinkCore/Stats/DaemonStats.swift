import NeuroLinkBasics
import NeuroLinkProtocol
import Synchronization

/// Counters the `status` method reports. Updated once per request (not per chunk) except for
/// the chunk total, which is added in one step when a request ends.
///
/// Totals that add up what providers report (tokens) or what a stream produced (chunks) saturate
/// at `Int.maxSafeJSONInteger` (2⁵³ − 1) instead of overflowing: one provider reporting absurd
/// usage must not bring the daemon down.
public final class DaemonStats: Sendable {
    private struct State {
        var totals = Totals()
        var activeStreams = 0
        var activeConnections = 0
    }

    private let state = Mutex(State())
    public init() {}

    public enum Outcome: Sendable { case succeeded, failed, cancelled }

    public func requestStarted() {
        state.withLock {
            $0.totals.requests += 1
            $0.activeStreams += 1
        }
    }

    public func requestEnded(_ outcome: Outcome, chunks: Int, usage: Usage?) {
        state.withLock {
            $0.activeStreams -= 1
            $0.totals.chunks = $0.totals.chunks.addingCount(chunks)
            $0.totals.inputTokens = $0.totals.inputTokens.addingCount(usage?.inputTokens ?? 0)
            $0.totals.outputTokens = $0.totals.outputTokens.addingCount(usage?.outputTokens ?? 0)
            switch outcome {
            case .succeeded: $0.totals.succeeded += 1
            case .failed: $0.totals.failed += 1
            case .cancelled: $0.totals.cancelled += 1
            }
        }
    }

    public func connectionOpened() { state.withLock { $0.activeConnections += 1 } }
    public func connectionClosed() { state.withLock { $0.activeConnections -= 1 } }

    public var snapshot: (totals: Totals, activeStreams: Int, activeConnections: Int) {
        state.withLock { ($0.totals, $0.activeStreams, $0.activeConnections) }
    }
}
