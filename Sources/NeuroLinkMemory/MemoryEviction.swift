import GRDB

/// Keeps a tenant within ``MemoryLimits/maxSessionsPerTenant`` after a session was created: first
/// its expired sessions go, then its least recently updated ones, never the one just created.
struct MemoryEviction {
    var tenant: String
    var keep: String
    var limits: MemoryLimits

    func run(_ db: Database, nowMs: Int64) throws {
        guard try excess(db) > 0 else { return }
        try db.execute(
            sql: "DELETE FROM memory_sessions WHERE tenant = ? AND expires_at <= ?",
            arguments: [tenant, nowMs]
        )
        let remaining = try excess(db)
        guard remaining > 0 else { return }
        try db.execute(
            sql: """
                DELETE FROM memory_sessions WHERE tenant = ?1 AND session_id IN (
                    SELECT session_id FROM memory_sessions WHERE tenant = ?1 AND session_id <> ?2
                    ORDER BY updated_at, created_at, session_id LIMIT ?3)
                """,
            arguments: [tenant, keep, remaining]
        )
    }

    /// Sessions the tenant has beyond its limit, expired ones included.
    private func excess(_ db: Database) throws -> Int {
        let count =
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM memory_sessions WHERE tenant = ?", arguments: [tenant]) ?? 0
        return count - limits.maxSessionsPerTenant
    }
}
