import GRDB
import NeuroLinkProtocol

/// The audit file's schema, versioned with GRDB migrations: a file made by an older daemon is
/// brought up to date when it opens; one made by a newer daemon (an unknown migration) is refused.
enum AuditSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: audit events") { db in
            try db.create(table: "audit_events") { t in
                // Numbered by the writer (1, 2, 3, …), not by SQLite: the id is part of the hash.
                t.column("id", .integer).primaryKey()
                // Seconds since 1970 (UTC).
                t.column("time", .double).notNull()
                t.column("type", .text).notNull()
                t.column("tenant", .text)
                t.column("uid", .integer)
                t.column("request_id", .text)
                t.column("rule", .text)
                // A JSON object of integers, keys sorted.
                t.column("counts", .text)
                t.column("detail", .text)
                // The chain (AuditChain): the previous row's hash, and this row's.
                t.column("prev_hash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            try db.create(index: "audit_events_by_time", on: "audit_events", columns: ["time"])
        }
        return migrator
    }
}
