import GRDB
import NeuroLinkBasics

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One append, run inside the writer's transaction: plans which turns survive the limits, then
/// deletes, inserts and recounts so that the session's counters always match its turns.
struct MemoryAppend: Sendable {
    var tenant: String
    var session: String
    var messages: [MemoryMessage]
    var nowMs: Int64
    var expiresAtMs: Int64
    var limits: MemoryLimits

    /// A stored turn as the plan needs it.
    struct StoredTurn {
        var seq: Int
        var startsTurn: Bool
        var bytes: Int
    }

    /// Returns how many of `messages` were stored.
    func run(_ db: Database) throws -> Int {
        let exists = try dropIfExpired(db)
        let stored = exists ? try storedTurns(db) : []
        let start = keptStart(stored: stored)
        let newStart = max(0, start - stored.count)
        guard newStart < messages.count else {
            if exists { try deleteSession(db) }
            return 0
        }
        if !exists { try insertSession(db) }
        try deleteTurns(db, before: start < stored.count ? stored[start].seq : Int.max)
        let firstSeq = (stored.last?.seq ?? 0).addingSaturating(1)
        try insertTurns(db, from: newStart, firstSeq: firstSeq)
        try updateSession(db)
        if !exists { try MemoryEviction(tenant: tenant, keep: session, limits: limits).run(db, nowMs: nowMs) }
        return messages.count - newStart
    }

    /// Deletes the session if it has expired; returns whether a live one remains.
    private func dropIfExpired(_ db: Database) throws -> Bool {
        try db.execute(
            sql: "DELETE FROM memory_sessions WHERE tenant = ? AND session_id = ? AND expires_at <= ?",
            arguments: [tenant, session, nowMs]
        )
        return try MemoryRows.liveSession(db, tenant: tenant, session: session, nowMs: nowMs) != nil
    }

    private func storedTurns(_ db: Database) throws -> [StoredTurn] {
        let sql = """
            SELECT seq, role, LENGTH(content) FROM memory_turns
            WHERE tenant = ? AND session_id = ? ORDER BY seq
            """
        return try Row.fetchAll(db, sql: sql, arguments: [tenant, session]).map { row in
            StoredTurn(
                seq: try row.decode(Int.self, atIndex: 0),
                startsTurn: try row.decode(String.self, atIndex: 1) == "user",
                bytes: try row.decode(Int.self, atIndex: 2)
            )
        }
    }

    /// The index, in stored turns followed by new messages, of the first message kept.
    private func keptStart(stored: [StoredTurn]) -> Int {
        let entries =
            stored.map { TurnBoundaries.Entry(startsTurn: $0.startsTurn, cost: $0.bytes) }
            + messages.map { TurnBoundaries.Entry(startsTurn: $0.startsTurn, cost: $0.content.utf8.count) }
        return TurnBoundaries.keptStart(of: entries) { count, bytes in
            count <= limits.maxMessagesPerSession && bytes <= limits.maxSessionBytes
        }
    }

    private func insertSession(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO memory_sessions (tenant, session_id, created_at, updated_at, expires_at, messages, bytes)
                VALUES (?, ?, ?, ?, ?, 0, 0)
                """,
            arguments: [tenant, session, nowMs, nowMs, expiresAtMs]
        )
    }

    private func deleteSession(_ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM memory_sessions WHERE tenant = ? AND session_id = ?",
            arguments: [tenant, session]
        )
    }

    private func deleteTurns(_ db: Database, before seq: Int) throws {
        try db.execute(
            sql: "DELETE FROM memory_turns WHERE tenant = ? AND session_id = ? AND seq < ?",
            arguments: [tenant, session, seq]
        )
    }

    /// Inserts `messages[start...]`; message `i` gets number `firstSeq + i`, so that new messages
    /// dropped before they were stored leave a gap, as dropped stored ones do.
    private func insertTurns(_ db: Database, from start: Int, firstSeq: Int) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO memory_turns (tenant, session_id, seq, role, content, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        )
        for index in start..<messages.count {
            let message = messages[index]
            let seq = firstSeq.addingSaturating(index)
            try statement.execute(arguments: [
                tenant, session, seq, message.role, Data(message.content.utf8), nowMs,
            ])
        }
    }

    /// Recounts from the turns rather than adding, so the counters cannot drift from them.
    private func updateSession(_ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE memory_sessions SET
                    messages = (SELECT COUNT(*) FROM memory_turns WHERE tenant = ?1 AND session_id = ?2),
                    bytes = (SELECT COALESCE(SUM(LENGTH(content)), 0) FROM memory_turns
                             WHERE tenant = ?1 AND session_id = ?2),
                    updated_at = ?3, expires_at = ?4
                WHERE tenant = ?1 AND session_id = ?2
                """,
            arguments: [tenant, session, nowMs, expiresAtMs]
        )
    }
}
