import GRDB
import Logging
import NeuroLinkBasics
import NeuroLinkProtocol
import Synchronization

/// The tamper-evident log of security events: rows in SQLite (GRDB, WAL mode), chained by SHA-256,
/// so that a row edited, deleted or inserted afterwards is found by ``verify()``. The chain's exact
/// definition, with a script that checks a copy of the file, is on `AuditChain` (AuditChain.swift).
///
/// Events name what happened, never what was said: types, tenants, counts, rule and request ids,
/// and a detail composed from fixed text. No prompt, no matched personal data, no secret.
///
/// ``append(_:)`` never waits: it bounds the event (``AuditLimits``), logs it and queues it; past
/// `maxQueued` waiting events, new ones are dropped and counted, and the next batch records an
/// `audit_dropped` event with their number. ``run()`` writes the queue in batches, one transaction
/// each, and logs the chain's head after each batch; ``finish()`` makes it write what is queued and
/// return. A log opened on an existing file continues its chain from the file's last row.
public final class AuditLog: Sendable {
    /// What the log has done, for `status` and metrics.
    public struct Stats: Sendable, Hashable {
        /// Events handed to ``append(_:)``.
        public var appended: Int
        /// Rows written, `audit_dropped` rows included.
        public var written: Int
        /// Events lost: the queue was full, or their write failed.
        public var dropped: Int
        /// Events waiting for the writer.
        public var queued: Int
        /// Why the last write failed, if one did.
        public var lastError: String?

        public init(appended: Int = 0, written: Int = 0, dropped: Int = 0, queued: Int = 0, lastError: String? = nil) {
            self.appended = appended
            self.written = written
            self.dropped = dropped
            self.queued = queued
            self.lastError = lastError
        }
    }

    /// Events written in one transaction at most.
    static let batchSize = 256

    public let path: String
    let database: DatabasePool
    let logger: Logger
    let maxQueued: Int
    let state: Mutex<State>
    let doorbell = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    struct State {
        var queue: [AuditEvent] = []
        /// Events lost since the last `audit_dropped` row was queued for writing.
        var unrecordedDrops = 0
        /// Whether the current run of drops has been logged.
        var reportedFull = false
        /// Events accepted into the queue, and of those, written or lost: `flush()` waits for the
        /// second to reach what the first was when it was called.
        var accepted = 0
        var settled = 0
        var stats = Stats()
        /// The last row this process wrote, or found at the end of the file when it opened it.
        var head: AuditHead?
    }

    /// Opens the log at `path`, creating the file (mode 0600) and its directory (0700) when needed,
    /// and migrates its schema.
    public init(path: String, logger: Logger, maxQueued: Int = 10_000) throws {
        self.path = path
        self.logger = logger
        self.maxQueued = max(1, maxQueued)
        let head: AuditHead?
        do {
            try OwnerOnlyFile.prepare(path)
            var configuration = Configuration()
            configuration.label = "neurolink.audit"
            configuration.busyMode = .timeout(5)
            // FULL: a committed batch survives a power loss too. Batches are few (security events
            // are rare), so the extra fsync costs little.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            database = try DatabasePool(path: path, configuration: configuration)
            try AuditSchema.migrator.migrate(database)
            head = try database.read(AuditRow.lastHead)
        } catch {
            throw AuditLogError(path: path, error)
        }
        state = Mutex(State(head: head))
    }

    /// Records `event`: logs it at once and queues it for the writer. Never waits and never fails;
    /// when the queue is full the event reaches only the logger, and is counted as dropped.
    public func append(_ event: AuditEvent) {
        let event = event.bounded()
        AuditLogFields.log(event, to: logger)
        let (accepted, firstDrop) = state.withLock { state -> (Bool, Bool) in
            state.stats.appended += 1
            guard state.queue.count < maxQueued else {
                state.stats.dropped += 1
                state.unrecordedDrops += 1
                defer { state.reportedFull = true }
                return (false, !state.reportedFull)
            }
            state.queue.append(event)
            state.accepted += 1
            return (true, false)
        }
        if accepted {
            doorbell.continuation.yield()
        } else if firstDrop {
            logger.warning("audit queue full: events are dropped", metadata: ["max_queued": "\(maxQueued)"])
        }
    }

    public var stats: Stats {
        state.withLock { state in
            var stats = state.stats
            stats.queued = state.queue.count
            return stats
        }
    }
}

/// The audit file cannot be opened, migrated or read.
public struct AuditLogError: Error, CustomStringConvertible {
    public let description: String

    public init(path: String, _ error: any Error) {
        let reason = (error as? DatabaseError).map { $0.message ?? "\($0.resultCode)" } ?? "\(error)"
        description = "audit log \(path): \(reason)"
    }
}
