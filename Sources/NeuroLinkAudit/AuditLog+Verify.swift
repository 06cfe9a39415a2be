import GRDB
import NeuroLinkProtocol
import Synchronization

extension AuditLog {
    /// Recomputes the whole chain in id order, reading one row at a time, and compares its end
    /// with the last row this process wrote. Reads a snapshot: the writer goes on meanwhile.
    ///
    /// Finds a row edited, deleted or inserted anywhere, and rows deleted or rewritten at the end
    /// while this process runs. Cannot find, on its own, rows deleted or rewritten at the end before
    /// this process opened the file, nor a chain rewritten consistently from some row to the end
    /// before that: compare ``AuditVerification/headId`` and ``AuditVerification/headHash`` with
    /// the last `audit chain head` line in the journal.
    public func verify() async throws -> AuditVerification {
        // Taken before the snapshot begins, so the snapshot holds every row this head names.
        let writtenHead = state.withLock { $0.head }
        return try await database.read { db in
            var checker = AuditChainChecker(writtenHead: writtenHead)
            let rows = try Row.fetchCursor(db, sql: AuditRow.selectAllSQL)
            while let row = try rows.next() { checker.check(StoredAuditRow(row)) }
            return checker.result()
        }
    }
}
