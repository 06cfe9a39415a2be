import GRDB
import Logging
import NeuroLinkProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AuditLog {
    /// Writes queued events as they arrive until ``finish()`` is called or the task is cancelled,
    /// then writes what is still queued and returns. Call it once, from one task (the service
    /// group's).
    public func run() async {
        for await _ in doorbell.stream { await flush() }
        await flush()
    }

    /// Makes ``run()`` write what is queued and return. Events appended afterwards are written
    /// only by a later ``flush()``.
    public func finish() {
        doorbell.continuation.finish()
    }

    /// Returns once every event appended before the call is written (or lost to a failed write),
    /// or early when the database cannot be reached at all, the events staying queued.
    ///
    /// The writes run in a task of their own: cancelling the caller (a request, or the task of
    /// ``run()`` at shutdown) must not interrupt a transaction and lose its events.
    public func flush() async {
        let target = state.withLock { $0.accepted }
        await Task { await self.writeBatches(until: target) }.value
    }

    private func writeBatches(until target: Int) async {
        while state.withLock({ $0.settled < target }) {
            guard await writeBatch() == .written else { return }
        }
        // Losses not yet recorded get their `audit_dropped` row now, even with nothing queued.
        if state.withLock({ $0.unrecordedDrops > 0 }) { _ = await writeBatch() }
    }

    enum BatchOutcome: Sendable {
        case nothingQueued, written, failed
    }

    private func writeBatch() async -> BatchOutcome {
        do {
            return try await database.writeWithoutTransaction { db in self.writeBatch(db) }
        } catch {
            // The database refused the access itself: nothing was taken from the queue.
            noteFailure(error)
            return .failed
        }
    }

    /// Takes the next batch and writes it in one transaction. This runs on the database's single
    /// writer, so batches are taken, chained and committed one after another, in queue order.
    private func writeBatch(_ db: Database) -> BatchOutcome {
        guard let batch = takeBatch() else { return .nothingQueued }
        if let record = batch.dropRecord { AuditLogFields.log(record, to: logger) }
        let head = state.withLock { $0.head }
        let rows = AuditChain.link(batch.events, after: head)
        do {
            try db.inTransaction(.immediate) {
                let statement = try db.cachedStatement(sql: AuditRow.insertSQL)
                for row in rows { try statement.execute(arguments: row.arguments) }
                return .commit
            }
        } catch {
            noteLoss(of: batch, error)
            return .failed
        }
        let newHead = rows.last.map { AuditHead(id: $0.id, hash: $0.hash) } ?? head
        state.withLock { state in
            state.head = newHead
            state.stats.written += rows.count
            state.settled += batch.queuedCount
        }
        logHead(newHead, rows: rows.count)
        return .written
    }

    /// Queued events taken for one transaction, and the `audit_dropped` record added to them.
    private struct Batch {
        var events: [AuditEvent]
        var queuedCount: Int
        var dropRecord: AuditEvent?
        var recordedDrops: Int
    }

    private func takeBatch() -> Batch? {
        let now = Date().timeIntervalSince1970
        return state.withLock { state -> Batch? in
            let count = min(state.queue.count, Self.batchSize)
            guard count > 0 || state.unrecordedDrops > 0 else { return nil }
            var batch = Batch(events: Array(state.queue.prefix(count)), queuedCount: count, recordedDrops: 0)
            state.queue.removeFirst(count)
            if state.unrecordedDrops > 0 {
                let record = Self.dropRecord(count: state.unrecordedDrops, time: now)
                batch.events.append(record)
                batch.dropRecord = record
                batch.recordedDrops = state.unrecordedDrops
                state.unrecordedDrops = 0
            }
            // There is room again: the next drop starts a new run, logged anew.
            state.reportedFull = false
            return batch
        }
    }

    static func dropRecord(count: Int, time: Double) -> AuditEvent {
        AuditEvent(
            time: time,
            type: .auditDropped,
            counts: ["events": count],
            detail: "audit events were lost: the queue was full or a write failed"
        )
    }

    /// A batch's transaction failed: its events are lost, and so is the record of earlier losses,
    /// which the next batch records again with these added.
    private func noteLoss(of batch: Batch, _ error: any Error) {
        let reason = AuditLogError(path: path, error).description
        state.withLock { state in
            state.stats.dropped += batch.queuedCount
            state.stats.lastError = reason
            state.settled += batch.queuedCount
            state.unrecordedDrops += batch.queuedCount + batch.recordedDrops
        }
        logger.error(
            "audit events lost: the database write failed",
            metadata: ["events": "\(batch.queuedCount)", "error": "\(reason)"]
        )
    }

    private func noteFailure(_ error: any Error) {
        let reason = AuditLogError(path: path, error).description
        state.withLock { $0.stats.lastError = reason }
        logger.error("audit log write failed", metadata: ["error": "\(reason)"])
    }

    /// The head after a batch, for the journal: the anchor that shows rows deleted or rewritten
    /// at the end of the file, even after a restart.
    private func logHead(_ head: AuditHead?, rows: Int) {
        guard let head else { return }
        // At the events' own level: wherever they reach the journal, the anchor does too.
        logger.notice(
            "audit chain head",
            metadata: ["head_id": "\(head.id)", "head_hash": "\(head.hash)", "rows_written": "\(rows)"]
        )
    }
}
