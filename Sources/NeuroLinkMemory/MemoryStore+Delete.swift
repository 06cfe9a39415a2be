import GRDB

extension MemoryStore {
    /// Deletes the session and its turns; returns whether it was stored (expired or not).
    @discardableResult
    public func clear(tenant: String, session: String) async throws -> Bool {
        try Self.validate(tenant: tenant, session: session)
        return try await database.write { db in
            try db.execute(
                sql: "DELETE FROM memory_sessions WHERE tenant = ? AND session_id = ?",
                arguments: [tenant, session]
            )
            return db.changesCount > 0
        }
    }

    /// Deletes every session expired at `nowMs`, with its turns; returns how many sessions.
    /// Expired sessions already read as absent: this only reclaims their space.
    @discardableResult
    public func purgeExpired(nowMs: Int64) async throws -> Int {
        try await database.write { db in
            // The turns go by ON DELETE CASCADE, which `changesCount` does not count.
            try db.execute(sql: "DELETE FROM memory_sessions WHERE expires_at <= ?", arguments: [nowMs])
            return db.changesCount
        }
    }
}
