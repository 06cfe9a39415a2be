import GRDB
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One row of `audit_events`: an event, its place in the chain and its hash.
struct AuditRow: Sendable, Hashable {
    var id: Int64
    var event: AuditEvent
    var prevHash: String
    var hash: String

    static let columns = "id, time, type, tenant, uid, request_id, rule, counts, detail, prev_hash, hash"
    static let insertSQL = "INSERT INTO audit_events (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    static let selectAllSQL = "SELECT \(columns) FROM audit_events ORDER BY id"

    var arguments: StatementArguments {
        [
            id, event.time, event.type.rawValue, event.tenant, event.uid.map { Int64($0) }, event.requestId, event.rule,
            event.counts.map(Self.json), event.detail, prevHash, hash,
        ]
    }

    /// `counts` as a JSON object, keys sorted. Bounded keys are `[a-z0-9_]`, so none needs escaping.
    static func json(_ counts: [String: Int]) -> String {
        let members = counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The last row of the file, where the chain continues.
    static func lastHead(_ db: Database) throws -> AuditHead? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1") else {
            return nil
        }
        let hash = StoredColumn.text(row["hash"] as DatabaseValue) ?? ""
        return AuditHead(id: row["id"] ?? 0, hash: hash)
    }
}

/// A row as read back for verification. Anyone may have written the file, so every column is read
/// without assuming its type: a value the daemon never writes leaves `event` nil.
struct StoredAuditRow {
    var id: Int64
    var prevHash: String
    var hash: String
    var event: AuditEvent?

    init(_ row: Row) {
        id = row["id"] ?? 0
        prevHash = StoredColumn.text(row["prev_hash"] as DatabaseValue) ?? ""
        hash = StoredColumn.text(row["hash"] as DatabaseValue) ?? ""
        event = Self.event(row)
    }

    /// Whether `hash` is the one computed from the row's columns.
    var hashMatchesContent: Bool {
        guard let event else { return false }
        return AuditChain.hash(id: id, event: event, previous: prevHash) == hash
    }

    private static func event(_ row: Row) -> AuditEvent? {
        let value = { (column: String) -> DatabaseValue in row[column] }
        guard case .double(let time) = value("time").storage, let type = StoredColumn.text(value("type")),
            let tenant = StoredColumn.optionalText(value("tenant")),
            let uid = StoredColumn.optionalUInt32(value("uid")),
            let requestId = StoredColumn.optionalText(value("request_id")),
            let rule = StoredColumn.optionalText(value("rule")),
            let counts = StoredColumn.optionalCounts(value("counts")),
            let detail = StoredColumn.optionalText(value("detail"))
        else { return nil }
        return AuditEvent(
            time: time,
            type: AuditEventType(rawValue: type),
            tenant: tenant,
            uid: uid,
            requestId: requestId,
            rule: rule,
            counts: counts,
            detail: detail
        )
    }
}

/// Readers of one column's value. The `optional…` ones return `.some(nil)` for NULL and `nil` for a
/// value of the wrong kind.
enum StoredColumn {
    static func text(_ value: DatabaseValue) -> String? {
        if case .string(let text) = value.storage { text } else { nil }
    }

    static func optionalText(_ value: DatabaseValue) -> String?? {
        value.isNull ? .some(nil) : text(value).map { .some($0) }
    }

    static func optionalUInt32(_ value: DatabaseValue) -> UInt32?? {
        if value.isNull { return .some(nil) }
        guard case .int64(let number) = value.storage, let uid = UInt32(exactly: number) else { return nil }
        return uid
    }

    static func optionalCounts(_ value: DatabaseValue) -> [String: Int]?? {
        if value.isNull { return .some(nil) }
        guard let json = text(value), let counts = try? JSONDecoder().decode([String: Int].self, from: Data(json.utf8))
        else { return nil }
        return counts
    }
}
