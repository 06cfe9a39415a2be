import GRDB
import NeuroLinkProtocol

extension MemoryStore {
    /// The session's messages, oldest first, to prepend to a request; `[]` when the session is
    /// absent or expired.
    public func history(tenant: String, session: String, nowMs: Int64) async throws -> [MemoryMessage] {
        let turns = try await turns(tenant: tenant, session: session, nowMs: nowMs)
        return (turns ?? []).map { MemoryMessage(role: $0.role, content: $0.content) }
    }

    /// The session's stored messages with their numbers and times; nil when it is absent or expired.
    public func turns(tenant: String, session: String, nowMs: Int64) async throws -> [MemoryTurn]? {
        try Self.validate(tenant: tenant, session: session)
        return try await database.read { db in
            try MemoryRows.liveTurns(db, tenant: tenant, session: session, nowMs: nowMs)
        }
    }

    /// Live sessions, most recently updated first: `tenant`'s, or every tenant's when it is nil
    /// (for administrators only). `limit` caps the list; nil lists all.
    public func sessions(tenant: String?, nowMs: Int64, limit: Int? = nil) async throws -> [MemorySessionInfo] {
        if let tenant, tenant.utf8.contains(0) { throw MemoryError.invalidKey("tenant") }
        // SQLite reads a negative LIMIT as no limit.
        let limit = limit.map { max(0, $0) } ?? -1
        let tenantFilter = tenant == nil ? "" : "AND tenant = ?"
        let sql = """
            SELECT \(MemoryRows.summaryColumns) FROM memory_sessions
            WHERE expires_at > ? \(tenantFilter)
            ORDER BY updated_at DESC, tenant, session_id LIMIT ?
            """
        let arguments: StatementArguments = tenant.map { [nowMs, $0, limit] } ?? [nowMs, limit]
        return try await database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(MemoryRows.summary)
        }
    }
}
