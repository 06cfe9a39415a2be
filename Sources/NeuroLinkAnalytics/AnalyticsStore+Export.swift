import GRDB
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension AnalyticsStore {
    /// One page of `analytics.export`: rows in the order they were recorded, after the cursor.
    public func export(
        _ request: AnalyticsExportRequest,
        until: Double,
        visibility: Visibility
    ) async throws -> AnalyticsExportPage {
        var filter = RowFilter(since: request.since, until: until, visibility: visibility)
        filter.sql += " AND id > ?"
        filter.arguments += [request.after ?? 0]
        let limit = min(max(1, request.limit), AnalyticsExportRequest.maxLimit)
        let sql =
            "SELECT id, \(AnalyticsRow.columns.joined(separator: ", ")) FROM requests WHERE \(filter.sql) ORDER BY id LIMIT \(limit + 1)"
        let arguments = filter.arguments
        let rows = try await database.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { (id: $0["id"] as Int, object: Self.json($0)) }
        }
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last?.id : nil
        return AnalyticsExportPage(rows: page.map(\.object), next: next)
    }

    /// A row as a JSON object: columns by name, NULLs left out, `context` and `attempts` as JSON.
    static func json(_ row: Row) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (column, value) in row {
            switch value.storage {
            case .null: continue
            case .int64(let number): object[column] = .number(Double(number))
            case .double(let number): object[column] = .number(number)
            case .string(let text) where column == "context" || column == "attempts":
                object[column] = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
            case .string(let text): object[column] = .string(text)
            case .blob: continue
            }
        }
        if let estimated = object["tokens_estimated"]?.numberValue {
            object["tokens_estimated"] = .bool(estimated != 0)
        }
        return .object(object)
    }
}
