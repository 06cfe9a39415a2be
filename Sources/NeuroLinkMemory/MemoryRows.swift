import GRDB
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The SQL that reads sessions and turns, shared by the store's reads and its writer. Every
/// statement filters by tenant, and takes every value from outside as an argument.
enum MemoryRows {
    static let summaryColumns = "tenant, session_id, messages, bytes, created_at, updated_at, expires_at"

    /// The session, if it is stored and has not expired at `nowMs`.
    static func liveSession(
        _ db: Database,
        tenant: String,
        session: String,
        nowMs: Int64
    ) throws -> MemorySessionInfo? {
        let sql = """
            SELECT \(summaryColumns) FROM memory_sessions
            WHERE tenant = ? AND session_id = ? AND expires_at > ?
            """
        return try Row.fetchOne(db, sql: sql, arguments: [tenant, session, nowMs]).map(summary)
    }

    /// The session's turns in order, or nil when it is absent or expired.
    static func liveTurns(_ db: Database, tenant: String, session: String, nowMs: Int64) throws -> [MemoryTurn]? {
        guard try liveSession(db, tenant: tenant, session: session, nowMs: nowMs) != nil else { return nil }
        let sql = """
            SELECT seq, role, content, created_at FROM memory_turns
            WHERE tenant = ? AND session_id = ? ORDER BY seq
            """
        return try Row.fetchAll(db, sql: sql, arguments: [tenant, session]).map(turn)
    }

    static func summary(_ row: Row) throws -> MemorySessionInfo {
        MemorySessionInfo(
            sessionId: try row.decode(String.self, atIndex: 1),
            tenant: try row.decode(String.self, atIndex: 0),
            messages: try row.decode(Int.self, atIndex: 2),
            bytes: try row.decode(Int.self, atIndex: 3),
            createdAtMs: try row.decode(Int64.self, atIndex: 4),
            updatedAtMs: try row.decode(Int64.self, atIndex: 5),
            expiresAtMs: try row.decode(Int64.self, atIndex: 6)
        )
    }

    static func turn(_ row: Row) throws -> MemoryTurn {
        MemoryTurn(
            seq: try row.decode(Int.self, atIndex: 0),
            role: try row.decode(String.self, atIndex: 1),
            content: String(decoding: try row.decode(Data.self, atIndex: 2), as: UTF8.self),
            createdAtMs: try row.decode(Int64.self, atIndex: 3)
        )
    }
}
