import Foundation
import GRDB
import Testing

@testable import NeuroLinkAnalytics

/// A new database is made in the schema's final shape at once; one made by an older daemon is
/// brought to the same shape by the later migrations, keeping its rows.
@Suite struct AnalyticsSchemaTests {
    private static func path() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("nl-analytics-schema-\(UUID().uuidString)/analytics.sqlite").path
    }

    /// Columns (position, name, type, not null, default, primary key), indexes and applied migrations.
    private static func shape(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(requests)").map { row in
                "\(row["cid"] as Int64) \(row["name"] as String) \(row["type"] as String) \(row["notnull"] as Int64) "
                    + "\((row["dflt_value"] as String?) ?? "-") \(row["pk"] as Int64)"
            }
            let indexes = try String.fetchAll(
                db,
                sql:
                    "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
            )
            let migrations = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            return columns + indexes + migrations
        }
    }

    /// A file as the first daemons left it: the first migration's table and indexes, as SQLite stores
    /// the statements GRDB wrote for them, and GRDB's record of that migration; one row in it.
    private static func makeFirstVersion(at path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1: requests');
                    CREATE TABLE "requests" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "request_id" TEXT NOT NULL,
                      "started_at" DOUBLE NOT NULL, "method" TEXT NOT NULL, "outcome" TEXT NOT NULL,
                      "tenant" TEXT NOT NULL, "tenant_sub_key" TEXT, "uid" INTEGER, "user" TEXT, "gid" INTEGER,
                      "user_id" TEXT, "session_id" TEXT, "context" TEXT, "provider" TEXT, "model" TEXT, "pool" TEXT,
                      "member" TEXT, "attempts" TEXT, "ttfc_ms" DOUBLE, "duration_ms" DOUBLE NOT NULL,
                      "chunks" INTEGER NOT NULL, "bytes" INTEGER NOT NULL, "input_tokens" INTEGER,
                      "output_tokens" INTEGER, "cached_tokens" INTEGER, "reasoning_tokens" INTEGER,
                      "tokens_estimated" BOOLEAN, "tokens_per_second" DOUBLE, "cost" DOUBLE, "finish_reason" TEXT,
                      "error_type" TEXT, "failure_class" TEXT, "cache_status" TEXT, "security_flags" TEXT);
                    CREATE INDEX "requests_by_time" ON "requests"("started_at");
                    CREATE INDEX "requests_by_tenant" ON "requests"("tenant", "started_at");
                    INSERT INTO requests (request_id, started_at, method, outcome, tenant, duration_ms, chunks, bytes)
                    VALUES ('1', 1.5, 'stream', 'success', 'alice', 12.5, 3, 30);
                    """
            )
        }
    }

    @Test func aNewDatabaseAndAnUpgradedOneHaveTheSameSchema() throws {
        let fresh = Self.path()
        _ = try AnalyticsStore(path: fresh)
        let upgraded = Self.path()
        try Self.makeFirstVersion(at: upgraded)
        let store = try AnalyticsStore(path: upgraded)
        #expect(try store.count() == 1)
        let freshShape = try Self.shape(fresh)
        #expect(freshShape.contains { $0.contains(" tool_calls TEXT ") })
        #expect(try Self.shape(upgraded) == freshShape)
        // Opened again, nothing changes.
        _ = try AnalyticsStore(path: fresh)
        #expect(try Self.shape(fresh) == freshShape)
    }

    /// How many times the schema changed (SQLite counts every CREATE and ALTER), and how many objects it has.
    private static func schemaChanges(_ path: String) throws -> (changes: Int, objects: Int) {
        try DatabaseQueue(path: path).read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? -1,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? -1
            )
        }
    }

    /// Each later column added with `ALTER TABLE` to a new database made SQLite parse the whole
    /// schema again (two thirds of the daemon's start-up time on this database).
    @Test func aNewDatabaseIsMadeWithoutAlteringItsTable() throws {
        let path = Self.path()
        _ = try AnalyticsStore(path: path)
        let fresh = try Self.schemaChanges(path)
        #expect(fresh.changes == fresh.objects, "\(fresh)")
        // An upgraded one is altered once per column it lacked.
        let upgraded = Self.path()
        try Self.makeFirstVersion(at: upgraded)
        _ = try AnalyticsStore(path: upgraded)
        let altered = try Self.schemaChanges(upgraded)
        #expect(altered.changes == fresh.changes + AnalyticsSchema.laterColumns.flatMap(\.columns).count, "\(altered)")
    }
}
