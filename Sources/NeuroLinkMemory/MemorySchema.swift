import GRDB

/// The database's schema, versioned with GRDB migrations: a database made by an older daemon is
/// brought up to date when it opens; one made by a newer daemon (an unknown migration) is refused.
enum MemorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: sessions and turns") { db in
            try db.create(table: "memory_sessions") { t in
                t.column("tenant", .text).notNull()
                t.column("session_id", .text).notNull()
                // Milliseconds since 1970 (UTC), from the caller's clock.
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
                t.column("expires_at", .integer).notNull()
                // Counters of the session's turns, kept equal to them by every write.
                t.column("messages", .integer).notNull()
                t.column("bytes", .integer).notNull()
                t.primaryKey(["tenant", "session_id"])
            }
            // The least recently updated session of a tenant, when the tenant has too many.
            try db.create(index: "memory_sessions_by_update", on: "memory_sessions", columns: ["tenant", "updated_at"])
            try db.create(index: "memory_sessions_by_expiry", on: "memory_sessions", columns: ["expires_at"])
            try db.create(table: "memory_turns") { t in
                t.column("tenant", .text).notNull()
                t.column("session_id", .text).notNull()
                t.column("seq", .integer).notNull()
                t.column("role", .text).notNull()
                // UTF-8 as a BLOB: GRDB reads TEXT up to its first NUL, and content is kept verbatim.
                t.column("content", .blob).notNull()
                t.column("created_at", .integer).notNull()
                t.primaryKey(["tenant", "session_id", "seq"])
                // Deleting a session deletes its turns (GRDB enables foreign keys on each connection).
                t.foreignKey(["tenant", "session_id"], references: "memory_sessions", onDelete: .cascade)
            }
        }
        return migrator
    }
}
