import GRDB
import NeuroLinkBasics

/// Conversation memory: each session's messages in SQLite (GRDB, WAL mode), by tenant, so that a
/// request naming a session gets its history; sessions survive a restart and expire after a TTL.
///
/// Every query filters by tenant: the same session id under two tenants is two sessions. Times
/// are the caller's clock in milliseconds since 1970, passed in so that tests control them. A
/// session has expired when its `expiresAt` is at or before `nowMs`; expired sessions read as
/// absent and are deleted by ``purgeExpired(nowMs:)`` or when appended to again.
///
/// Reads run concurrently with the writer; writes are serialized by GRDB, each one transaction.
public final class MemoryStore: Sendable {
    public let path: String
    public let limits: MemoryLimits
    let database: DatabasePool

    /// Opens (creating it mode 0600, and its directory mode 0700, when needed) and migrates the
    /// database at `path`.
    public init(path: String, limits: MemoryLimits = MemoryLimits()) throws(MemoryError) {
        self.path = path
        self.limits = limits
        do {
            try OwnerOnlyFile.prepare(path)
            var configuration = Configuration()
            configuration.label = "neurolink.memory"
            configuration.busyMode = .timeout(5)
            // In WAL mode, NORMAL makes every commit durable across a crash of the daemon; only a
            // power loss may take the last turns, which costs a conversation some context.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            database = try DatabasePool(path: path, configuration: configuration)
            try MemorySchema.migrator.migrate(database)
        } catch let error as MemoryError {
            throw error
        } catch {
            throw MemoryError(path: path, error)
        }
    }

    /// Closes the database; later calls throw. Optional: the pool also closes when released.
    public func close() throws {
        try database.close()
    }

    /// Refuses keys that SQLite would cut short (see ``MemoryError``).
    static func validate(tenant: String, session: String) throws(MemoryError) {
        if tenant.utf8.contains(0) { throw MemoryError.invalidKey("tenant") }
        if session.utf8.contains(0) { throw MemoryError.invalidKey("session id") }
    }
}
