import Foundation
import NeuroLinkCore
import Synchronization

/// The recent requests the alert rules look at: a bounded ring of (end time, failed, duration,
/// time to first chunk), fed as requests are recorded. The oldest samples go first when it is full,
/// so a rule's window covers at most the last ``capacity`` requests.
public final class RequestWindow: RequestRecorder, Sendable {
    struct Sample: Sendable {
        var endedAt: Double
        var failed: Bool
        var durationMs: Double
        var firstChunkMs: Double?
    }

    /// Samples kept at most (about 3 MiB).
    public static let capacity = 100_000

    private let samples = Mutex((ring: [Sample](), next: 0))
    private let clock: @Sendable () -> Double

    public init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
    }

    public func record(_ record: RequestRecord) {
        let failed: Bool
        switch record.outcome {
        case .cancelled, .clientGone: return
        case .error, .rejected, .queueTimeout: failed = true
        case .success, .shutDown: failed = false
        }
        let sample = Sample(
            endedAt: clock(),
            failed: failed,
            durationMs: record.durationMs,
            firstChunkMs: record.timeToFirstChunkMs
        )
        samples.withLock { state in
            if state.ring.count < Self.capacity {
                state.ring.append(sample)
            } else {
                state.ring[state.next] = sample
                state.next = (state.next + 1) % Self.capacity
            }
        }
    }

    /// Figures of the requests that ended in the last `windowMs` before `now`.
    public struct Figures: Sendable, Hashable {
        public var requests = 0
        public var failed = 0
        public var p95DurationMs: Double?
        public var p95FirstChunkMs: Double?

        public var errorRate: Double? { requests > 0 ? Double(failed) / Double(requests) : nil }
    }

    public func figures(windowMs: Int, now: Double) -> Figures {
        let start = now - Double(windowMs) / 1000
        let recent = samples.withLock { state in state.ring.filter { $0.endedAt >= start && $0.endedAt <= now } }
        var figures = Figures()
        figures.requests = recent.count
        figures.failed = recent.count { $0.failed }
        figures.p95DurationMs = Self.p95(recent.map(\.durationMs))
        figures.p95FirstChunkMs = Self.p95(recent.compactMap(\.firstChunkMs))
        return figures
    }

    /// Nearest rank, as `analytics.report` computes it.
    static func p95(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[Int((0.95 * Double(sorted.count)).rounded(.up)) - 1]
    }
}
