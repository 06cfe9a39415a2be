import Logging
import NeuroLinkCore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Records every finished request in the ``AnalyticsStore``: ``record(_:)`` only appends to a
/// bounded queue (a stream never waits for the database), and ``run()`` writes the queue in one
/// transaction every `analytics.flush_interval_ms`, or sooner once a batch is full. Past
/// `analytics.queue_size` waiting rows, new ones are dropped and counted.
public final class AnalyticsWriter: RequestRecorder, Sendable {
    /// What the writer has done, for `status` and metrics.
    public struct Counters: Sendable, Hashable {
        public var written = 0
        /// Rows lost: the queue was full, or a write failed.
        public var dropped = 0
        /// Requests not recorded because of `analytics.sampling_rate`.
        public var sampledOut = 0
        public var queued = 0
    }

    /// Rows that wake the writer before its interval ends.
    static let batchSize = 512

    public let store: AnalyticsStore
    let settings: DaemonConfig.Analytics
    let logger: Logger
    private let state = Mutex(State())
    private let doorbell = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    private struct State {
        var queue: [RequestRecord] = []
        var counters = Counters()
        var lastPrune: Date?
    }

    public init(store: AnalyticsStore, settings: DaemonConfig.Analytics, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    public var counters: Counters {
        state.withLock { state in
            var counters = state.counters
            counters.queued = state.queue.count
            return counters
        }
    }

    public func record(_ record: RequestRecord) {
        if settings.samplingRate < 1, Double.random(in: 0..<1) >= settings.samplingRate {
            state.withLock { $0.counters.sampledOut += 1 }
            return
        }
        let capacity = settings.queueCapacity
        let full = state.withLock { state -> Bool in
            guard state.queue.count < capacity else {
                state.counters.dropped += 1
                return false
            }
            state.queue.append(record)
            return state.queue.count % Self.batchSize == 0
        }
        if full { doorbell.continuation.yield() }
    }

    /// Writes the queue every flush interval (and when a batch fills) until the task is cancelled.
    /// Then call ``flush()`` once the last request has been recorded.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            let interval = Duration.milliseconds(settings.flushIntervalMs)
            let continuation = doorbell.continuation
            group.addTask {
                while (try? await Task.sleep(for: interval)) != nil { continuation.yield() }
            }
            for await _ in doorbell.stream {
                await flush()
                await pruneIfDue()
            }
            group.cancelAll()
        }
    }

    /// Writes every queued row now, in one transaction (repeated while rows keep arriving), even
    /// when the calling task is cancelled, as the writer's loop is at shutdown, possibly in the
    /// middle of a write: GRDB abandons a cancelled task's database access, and the rows taken
    /// from the queue are nowhere else.
    public func flush() async {
        await Task { await writeQueued() }.value
    }

    private func writeQueued() async {
        while true {
            let batch = state.withLock { state -> [RequestRecord] in
                defer { state.queue = [] }
                return state.queue
            }
            guard !batch.isEmpty else { return }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let rows = batch.map { AnalyticsRow($0, encoder: encoder) }
            do {
                try await store.insert(rows)
                state.withLock { $0.counters.written += rows.count }
            } catch {
                state.withLock { $0.counters.dropped += rows.count }
                logger.error(
                    "analytics rows lost: the database write failed",
                    metadata: ["rows": "\(rows.count)", "error": "\(AnalyticsError(path: store.path, error))"]
                )
            }
        }
    }

    /// Deletes rows older than `analytics.retention_days`, at most once an hour.
    public func pruneIfDue(now: Date = Date()) async {
        guard settings.retentionDays > 0 else { return }
        let due = state.withLock { state -> Bool in
            guard state.lastPrune.map({ now.timeIntervalSince($0) >= 3600 }) ?? true else { return false }
            state.lastPrune = now
            return true
        }
        guard due else { return }
        let cutoff = now.timeIntervalSince1970 - Double(settings.retentionDays) * 86_400
        do {
            let deleted = try await store.prune(startedBefore: cutoff)
            if deleted > 0 { logger.info("analytics rows pruned", metadata: ["rows": "\(deleted)"]) }
        } catch {
            logger.error("analytics pruning failed", metadata: ["error": "\(AnalyticsError(path: store.path, error))"])
        }
    }
}
