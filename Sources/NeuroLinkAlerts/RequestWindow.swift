import NeuroLinkCore
import NeuroLinkProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The recent requests the alert rules look at: a bounded ring of (end time, failed, duration,
/// time to first chunk), fed as requests are recorded. The oldest samples go first when it is full,
/// so a rule's window covers at most the last ``capacity`` requests.
public final class RequestWindow: RequestRecorder, Sendable {
    struct Sample: Sendable {
        var provider: String
        var endedAt: Double
        var failed: Bool
        var durationMs: Double
        var firstChunkMs: Double?
        /// `true` for a cache hit, `false` for a miss, `nil` when the request did not look up.
        var cacheHit: Bool?
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
            provider: record.provider ?? "-",
            endedAt: clock(),
            failed: failed,
            durationMs: record.durationMs,
            firstChunkMs: record.timeToFirstChunkMs,
            cacheHit: record.cache.flatMap(Self.cacheHit)
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
        public var p50FirstChunkMs: Double?
        public var p95FirstChunkMs: Double?
        /// Requests that looked the response cache up, and those it answered.
        public var cacheLookups = 0
        public var cacheHits = 0

        /// Hits over lookups, 0...1; `nil` without lookups.
        public var cacheHitRate: Double? { cacheLookups > 0 ? Double(cacheHits) / Double(cacheLookups) : nil }

        public var errorRate: Double? { requests > 0 ? Double(failed) / Double(requests) : nil }
    }

    public func figures(windowMs: Int, now: Double) -> Figures {
        Self.figures(of: recent(windowMs: windowMs, now: now))
    }

    /// ``figures(windowMs:now:)`` per provider, with the p50 time to first chunk too.
    public func figuresByProvider(windowMs: Int, now: Double) -> [String: Figures] {
        Dictionary(grouping: recent(windowMs: windowMs, now: now), by: \.provider).mapValues(Self.figures(of:))
    }

    private func recent(windowMs: Int, now: Double) -> [Sample] {
        let start = now - Double(windowMs) / 1000
        return samples.withLock { state in state.ring.filter { $0.endedAt >= start && $0.endedAt <= now } }
    }

    private static func figures(of recent: [Sample]) -> Figures {
        var figures = Figures()
        figures.requests = recent.count
        figures.failed = recent.count { $0.failed }
        figures.p95DurationMs = percentile(0.95, of: recent.map(\.durationMs))
        let firstChunks = recent.compactMap(\.firstChunkMs)
        figures.p50FirstChunkMs = percentile(0.50, of: firstChunks)
        figures.p95FirstChunkMs = percentile(0.95, of: firstChunks)
        let lookups = recent.compactMap(\.cacheHit)
        figures.cacheLookups = lookups.count
        figures.cacheHits = lookups.count { $0 }
        return figures
    }

    private static func cacheHit(_ cache: CacheInfo) -> Bool? {
        switch cache.status {
        case .hit, .semanticHit: true
        case .miss, .refused: false
        default: nil
        }
    }

    /// Nearest rank, as `analytics.report` computes it.
    static func percentile(_ share: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[max(0, Int((share * Double(sorted.count)).rounded(.up)) - 1)]
    }
}
