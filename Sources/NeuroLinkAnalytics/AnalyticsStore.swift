import GRDB
import NeuroLinkCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The SQLite database of request records, in WAL mode so that reports read while the writer
/// writes. Rows reach it only through ``AnalyticsWriter``.
public final class AnalyticsStore: Sendable {
    let database: DatabasePool
    public let path: String

    /// Opens (creating it and its directory, mode 0700, when needed) and migrates the database.
    public init(path: String) throws(AnalyticsError) {
        self.path = path
        do {
            try StateFiles.prepareDirectory(of: path)
            var configuration = Configuration()
            configuration.label = "neurolink.analytics"
            configuration.busyMode = .timeout(5)
            // In WAL mode, NORMAL makes every commit durable across a crash of the daemon (even a
            // SIGKILL); only a power loss may take the last commits.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            database = try DatabasePool(path: path, configuration: configuration)
            try AnalyticsSchema.migrator.migrate(database)
        } catch {
            throw AnalyticsError(path: path, error)
        }
    }

    /// Writes `rows` in one transaction.
    func insert(_ rows: [AnalyticsRow]) async throws {
        try await database.write { db in
            let statement = try db.cachedStatement(sql: AnalyticsRow.insertSQL)
            for row in rows { try statement.execute(arguments: row.arguments) }
        }
    }

    /// Deletes rows that started before `cutoff` (seconds since 1970); returns how many.
    @discardableResult
    func prune(startedBefore cutoff: Double) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM requests WHERE started_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    /// Rows in the table.
    public func count() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM requests") ?? 0 }
    }
}

/// The analytics database cannot be opened or written.
public struct AnalyticsError: Error, CustomStringConvertible {
    public let description: String

    public init(path: String, _ error: any Error) {
        let reason = (error as? DatabaseError).map { $0.message ?? "\($0.resultCode)" } ?? "\(error)"
        description = "analytics database \(path): \(reason)"
    }
}
