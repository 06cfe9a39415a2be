import GRDB
import NeuroLinkCore
import NeuroLinkProtocol
import NeuroLinkProviders

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The cache's SQLite file: one row per stored answer (a key may hold several variants, see
/// ``CachedAnswer/serves(maxTokens:)``), its answer JSON compressed with zlib. WAL mode, so
/// lookups read while the writer writes.
final class CacheDatabase: Sendable {
    let database: DatabasePool
    let path: String

    init(path: String) throws {
        self.path = path
        try StateFiles.prepareDirectory(of: path)
        var configuration = Configuration()
        configuration.label = "neurolink.cache"
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        database = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: entries") { db in
            try db.create(table: "entries") { t in
                t.column("key", .text).notNull()
                // 0: an answer that stopped on its own; n + 1: one cut at maxTokens n; -1: cut without a limit.
                t.column("variant", .integer).notNull()
                t.column("tenant", .text)
                t.column("namespace", .text)
                t.column("created_at", .double).notNull()
                t.column("expires_at", .double).notNull()
                // zlib-compressed JSON of the answer, and its size before compression.
                t.column("payload", .blob).notNull()
                t.column("raw_size", .integer).notNull()
                t.primaryKey(["key", "variant"])
            }
            try db.create(index: "entries_by_age", on: "entries", columns: ["created_at"])
        }
        migrator.registerMigration("v2: semantic") { db in
            // The semantic tier's prompts: the last user turn of a stored answer's request, its
            // vector (little-endian floats, as many as the embedding model gives) and the scope it
            // may match in.
            try db.create(table: "prompts") { t in
                t.primaryKey("key", .text)
                t.column("scope", .text).notNull()
                t.column("text", .text).notNull()
                t.column("vector", .blob).notNull()
                t.column("tenant", .text)
                t.column("namespace", .text)
                t.column("expires_at", .double).notNull()
            }
            try db.create(index: "prompts_by_scope", on: "prompts", columns: ["scope"])
        }
        return migrator
    }

    /// What is on disk, without the answers: read once when the cache opens.
    func index(now: Double) throws -> [DiskEntry] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT key, variant, tenant, namespace, created_at, expires_at, LENGTH(payload) AS size FROM entries WHERE expires_at > ?",
                arguments: [now]
            ).compactMap(DiskEntry.init)
        }
    }

    /// The answers stored under `key`.
    func answers(_ key: String) async throws -> [CachedAnswer] {
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT payload, raw_size FROM entries WHERE key = ?", arguments: [key])
                .compactMap { row -> (Data, Int)? in
                    guard let payload = row["payload"] as Data?, let size = row["raw_size"] as Int? else { return nil }
                    return (payload, size)
                }
        }
        let decoder = JSONDecoder()
        // A damaged row is skipped, never trusted.
        return rows.compactMap { payload, size -> CachedAnswer? in
            guard let json = try? Deflate.decompress(Array(payload), originalSize: size) else { return nil }
            return try? decoder.decode(CachedAnswer.self, from: Data(json))
        }
    }

    /// Writes entries (replacing the same key and variant), and the prompts of those the
    /// semantic tier indexes, in one transaction.
    func write(
        _ entries: [(DiskEntry, payload: [UInt8], rawSize: Int)],
        prompts: [(DiskEntry, SemanticEntry)] = []
    )
        async throws
    {
        try await database.write { db in
            let prompt = try db.cachedStatement(
                sql:
                    "INSERT OR REPLACE INTO prompts (key, scope, text, vector, tenant, namespace, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            )
            for (entry, semantic) in prompts {
                let vector = semantic.vector.withUnsafeBufferPointer { Data(buffer: $0) }
                try prompt.execute(arguments: [
                    entry.key, semantic.scope.hex, semantic.text, vector, entry.tenant, entry.namespace,
                    entry.expiresAt,
                ])
            }
            let statement = try db.cachedStatement(
                sql:
                    "INSERT OR REPLACE INTO entries (key, variant, tenant, namespace, created_at, expires_at, payload, raw_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            )
            for (entry, payload, rawSize) in entries {
                try statement.execute(arguments: [
                    entry.key, entry.variant, entry.tenant, entry.namespace, entry.createdAt, entry.expiresAt,
                    Data(payload), rawSize,
                ])
            }
        }
    }

    /// Deletes the given entries, and the prompts of their keys.
    func delete(_ entries: [DiskEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await database.write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM entries WHERE key = ? AND variant = ?")
            let prompt = try db.cachedStatement(sql: "DELETE FROM prompts WHERE key = ?")
            for entry in entries {
                try statement.execute(arguments: [entry.key, entry.variant])
                try prompt.execute(arguments: [entry.key])
            }
        }
    }

    /// A scope's prompts that have not expired.
    func prompts(scope: String, now: Double) async throws -> [StoredPrompt] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT key, text, vector, tenant, namespace, expires_at FROM prompts WHERE scope = ? AND expires_at > ?",
                arguments: [scope, now]
            ).compactMap(StoredPrompt.init)
        }
    }
}

/// A prompt of the semantic index as the database holds it.
struct StoredPrompt: Sendable {
    var key: String
    var text: String
    var vector: [Float]
    var owner: CacheOwner
    var expiresAt: Double

    init?(_ row: Row) {
        guard let key = row["key"] as String?, let text = row["text"] as String?, let data = row["vector"] as Data?,
            !data.isEmpty, data.count % 4 == 0, data.count / 4 <= EmbeddingResult.maxDimensions,
            let expires = row["expires_at"] as Double?
        else { return nil }
        var vector = [Float](repeating: 0, count: data.count / 4)
        _ = vector.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        self.key = key
        self.text = text
        self.vector = vector
        owner = CacheOwner(tenant: row["tenant"], namespace: row["namespace"])
        expiresAt = expires
    }
}

/// One stored answer as the index knows it.
struct DiskEntry: Sendable, Hashable {
    var key: String
    var variant: Int
    var tenant: String?
    var namespace: String?
    var createdAt: Double
    var expiresAt: Double
    /// Compressed bytes.
    var size: Int

    init(key: String, variant: Int, owner: CacheOwner, createdAt: Double, expiresAt: Double, size: Int) {
        self.key = key
        self.variant = variant
        tenant = owner.tenant
        namespace = owner.namespace
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.size = size
    }

    init?(_ row: Row) {
        guard let key = row["key"] as String?, let variant = row["variant"] as Int?,
            let created = row["created_at"] as Double?, let expires = row["expires_at"] as Double?
        else { return nil }
        self.init(
            key: key,
            variant: variant,
            owner: CacheOwner(tenant: row["tenant"], namespace: row["namespace"]),
            createdAt: created,
            expiresAt: expires,
            size: row["size"] ?? 0
        )
    }

    var owner: CacheOwner { CacheOwner(tenant: tenant, namespace: namespace) }

    /// The variant an answer is stored as.
    static func variant(of answer: CachedAnswer) -> Int {
        if answer.stoppedOnItsOwn { return 0 }
        return answer.maxTokens.map { $0.addingReportingOverflow(1).partialValue } ?? -1
    }
}
