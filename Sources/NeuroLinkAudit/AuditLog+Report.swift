import GRDB
import NeuroLinkProtocol

extension AuditLog {
    /// Entries of ``AuditReport/counts`` at most.
    static let reportCountEntries = 200
    /// Entries of ``AuditReport/topRules``.
    static let reportTopRules = 10

    /// `audit.report` for the window `since ..< now` (seconds since 1970), computed with SQL
    /// aggregates over the window's rows.
    public func report(since: Double, now: Double) async throws -> AuditReport {
        let window = AuditWindow(since: since, until: now)
        return try await database.read { db in
            var figures = AuditAdvice.Figures()
            figures.total =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM audit_events WHERE \(window.sql)",
                    arguments: window.arguments
                ) ?? 0
            figures.injections = try Self.injections(db, window)
            figures.unredacted = try Self.unredacted(db, window)
            figures.denials = try Self.denials(db, window)
            (figures.dropRecords, figures.droppedEvents) = try Self.drops(db, window)
            return AuditReport(
                since: since,
                until: now,
                total: figures.total,
                counts: try Self.counts(db, window),
                topRules: try Self.topRules(db, window),
                recommendations: AuditAdvice.recommendations(figures)
            )
        }
    }

    private static func counts(_ db: Database, _ window: AuditWindow) throws -> [AuditReport.Count] {
        let sql = """
            SELECT \(text("tenant")), \(text("type")), COUNT(*) AS c FROM audit_events WHERE \(window.sql)
            GROUP BY 1, 2 ORDER BY c DESC, tenant, type LIMIT \(reportCountEntries)
            """
        return try Row.fetchAll(db, sql: sql, arguments: window.arguments).map { row in
            AuditReport.Count(
                tenant: try row.decode(forColumn: "tenant"),
                type: AuditEventType(rawValue: try row.decode(forColumn: "type")),
                count: try row.decode(forColumn: "c")
            )
        }
    }

    private static func topRules(_ db: Database, _ window: AuditWindow) throws -> [AuditReport.RuleCount] {
        let sql = """
            SELECT \(text("rule")), COUNT(*) AS c FROM audit_events WHERE \(window.sql) AND rule IS NOT NULL
            GROUP BY 1 ORDER BY c DESC, rule LIMIT \(reportTopRules)
            """
        return try Row.fetchAll(db, sql: sql, arguments: window.arguments).map { row in
            AuditReport.RuleCount(rule: try row.decode(forColumn: "rule"), count: try row.decode(forColumn: "c"))
        }
    }

    private static func injections(_ db: Database, _ window: AuditWindow) throws -> [AuditAdvice.TenantCount] {
        let sql = """
            SELECT \(text("tenant")), COUNT(*) AS c FROM audit_events WHERE \(window.sql) AND type IN (?, ?)
            GROUP BY 1 HAVING c >= ? ORDER BY c DESC, tenant
            """
        let arguments =
            window.arguments
            + [
                AuditEventType.injectionFlagged.rawValue, AuditEventType.injectionBlocked.rawValue,
                AuditAdvice.injectionEvents,
            ]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            AuditAdvice.TenantCount(tenant: try row.decode(forColumn: "tenant"), count: try row.decode(forColumn: "c"))
        }
    }

    private static func unredacted(_ db: Database, _ window: AuditWindow) throws -> [AuditAdvice.Unredacted] {
        let type = AuditEventType.piiUnredacted.rawValue
        let events = try Row.fetchAll(
            db,
            sql: """
                SELECT \(text("tenant")), COUNT(*) AS c FROM audit_events WHERE \(window.sql) AND type = ?
                GROUP BY 1 ORDER BY c DESC, tenant
                """,
            arguments: window.arguments + [type]
        )
        // The PII types are the keys of `counts`; a value that is not a JSON object counts as none.
        let types = try Row.fetchAll(
            db,
            sql: """
                SELECT \(text("e.tenant", as: "tenant")), CAST(j.key AS TEXT) AS key, TOTAL(j.value) AS matches
                FROM audit_events AS e, json_each(\(AuditWindow.countsObject("e.counts"))) AS j
                WHERE \(window.sql(table: "e")) AND e.type = ?
                GROUP BY 1, 2 ORDER BY matches DESC, key
                """,
            arguments: window.arguments + [type]
        )
        var typesByTenant: [String?: [String]] = [:]
        for row in types {
            let tenant: String? = try row.decode(forColumn: "tenant")
            typesByTenant[tenant, default: []].append(try row.decode(forColumn: "key"))
        }
        return try events.map { row in
            let tenant: String? = try row.decode(forColumn: "tenant")
            let count: Int = try row.decode(forColumn: "c")
            return AuditAdvice.Unredacted(tenant: tenant, events: count, types: typesByTenant[tenant] ?? [])
        }
    }

    private static func denials(_ db: Database, _ window: AuditWindow) throws -> [AuditAdvice.Denials] {
        let sql = """
            SELECT \(text("tenant")), \(text("rule")), COUNT(*) AS c FROM audit_events
            WHERE \(window.sql) AND type = ? AND rule IS NOT NULL
            GROUP BY 1, 2 HAVING c >= ? ORDER BY c DESC, tenant, rule
            """
        let arguments = window.arguments + [AuditEventType.policyDenied.rawValue, AuditAdvice.denialsByOneRule]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            AuditAdvice.Denials(
                tenant: try row.decode(forColumn: "tenant"),
                rule: try row.decode(forColumn: "rule"),
                count: try row.decode(forColumn: "c")
            )
        }
    }

    /// `audit_dropped` records in the window, and the events they say were lost.
    private static func drops(_ db: Database, _ window: AuditWindow) throws -> (records: Int, events: Int) {
        let sql = """
            SELECT COUNT(*) AS records,
                CAST(TOTAL(json_extract(\(AuditWindow.countsObject("counts")), '$.events')) AS INTEGER) AS events
            FROM audit_events WHERE \(window.sql) AND type = ?
            """
        let row = try Row.fetchOne(db, sql: sql, arguments: window.arguments + [AuditEventType.auditDropped.rawValue])
        return (try row?.decode(forColumn: "records") ?? 0, try row?.decode(forColumn: "events") ?? 0)
    }

    /// A text column as text whatever a hand edit stored in it (NULL stays NULL), so that decoding
    /// a report never fails on a tampered row; `verify()` is where such rows are reported.
    private static func text(_ column: String, as name: String? = nil) -> String {
        "CAST(\(column) AS TEXT) AS \(name ?? column)"
    }
}

/// The `WHERE` clause of a report's window: `since <= time < until`.
struct AuditWindow {
    var since: Double
    var until: Double

    var sql: String { sql(table: nil) }
    var arguments: StatementArguments { [since, until] }

    func sql(table: String?) -> String {
        let column = table.map { "\($0).time" } ?? "time"
        return "\(column) >= ? AND \(column) < ?"
    }

    /// SQL for a `counts` column's value when it is a JSON object, NULL otherwise: the JSON
    /// functions fail on malformed text, and the file is not trusted.
    static func countsObject(_ column: String) -> String {
        "CASE WHEN json_valid(\(column)) THEN CASE WHEN json_type(\(column)) = 'object' THEN \(column) END END"
    }
}
