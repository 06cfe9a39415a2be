import GRDB
import NeuroLinkProtocol

extension AnalyticsStore {
    /// Which rows a reader may see: every tenant's (root, `server.admin_group`) or one tenant's.
    public enum Visibility: Sendable, Hashable {
        case all
        case tenant(String)
    }

    /// `analytics.report`, computed in SQL: aggregates, nearest-rank percentiles (window functions)
    /// and the most frequent errors of each group.
    public func report(
        _ request: AnalyticsReportRequest,
        until: Double,
        visibility: Visibility
    ) async throws -> AnalyticsReport {
        let filter = RowFilter(since: request.since, until: until, visibility: visibility)
        let group = Self.groupExpression(request.by)
        let groups = try await database.read { db in
            var groups = try Self.aggregates(db, group: group, filter: filter)
            let ttfc = try Self.percentiles(db, of: "ttfc_ms", group: group, filter: filter)
            let duration = try Self.percentiles(db, of: "duration_ms", group: group, filter: filter)
            let errors = try Self.topErrors(db, group: group, filter: filter)
            for index in groups.indices {
                let key = groups[index].key
                groups[index].timeToFirstChunkMs = ttfc[key]
                groups[index].durationMs = duration[key] ?? groups[index].durationMs
                groups[index].topErrors = errors[key] ?? []
            }
            return groups
        }
        var report = AnalyticsReport(since: request.since, until: until, by: request.by, groups: groups)
        report.recommendations = AnalyticsAdvice.recommendations(for: report)
        return report
    }

    /// The SQL of a group's key.
    static func groupExpression(_ grouping: AnalyticsReportRequest.Grouping) -> String {
        switch grouping {
        case .provider: "COALESCE(provider, '-')"
        case .model: "COALESCE(model, '-')"
        case .tenant: "tenant || COALESCE('/' || tenant_sub_key, '')"
        case .pool: "COALESCE(pool, '-')"
        case .member: "COALESCE(member, '-')"
        case .error: "COALESCE(error_type, 'none')"
        case .hour: "strftime('%Y-%m-%dT%H:00Z', CAST(started_at AS INTEGER), 'unixepoch')"
        }
    }

    private static func aggregates(
        _ db: Database,
        group: String,
        filter: RowFilter
    ) throws -> [AnalyticsReport.Group] {
        let sql = """
            SELECT \(group) AS g, COUNT(*) AS requests, SUM(outcome = 'success') AS succeeded,
                SUM(COALESCE(input_tokens, 0)) AS input, SUM(COALESCE(output_tokens, 0)) AS output,
                SUM(COALESCE(tokens_estimated, 0)) AS estimated, AVG(tokens_per_second) AS tps,
                SUM(cost) AS cost, SUM(cost IS NULL AND input_tokens IS NOT NULL) AS unknown_cost,
                COUNT(eval_overall) AS scored, COUNT(eval_error) AS eval_failed,
                AVG(eval_relevance) AS relevance, AVG(eval_accuracy) AS accuracy,
                AVG(eval_completeness) AS completeness, AVG(eval_overall) AS overall,
                SUM(cache_status = 'hit' OR cache_status = 'semantic_hit') AS cache_hits,
                SUM(cache_status = 'miss' OR cache_status = 'refused') AS cache_misses,
                SUM(cache_status = 'bypass') AS cache_bypassed, SUM(cache_saved_cost) AS cache_saved
            FROM requests WHERE \(filter.sql) GROUP BY g ORDER BY requests DESC, g
            """
        return try Row.fetchAll(db, sql: sql, arguments: filter.arguments).map { row in
            var entry = AnalyticsReport.Group(
                key: row["g"] ?? "-",
                requests: row["requests"] ?? 0,
                succeeded: row["succeeded"] ?? 0,
                durationMs: AnalyticsReport.Percentiles(p50: 0, p95: 0, p99: 0)
            )
            entry.inputTokens = row["input"] ?? 0
            entry.outputTokens = row["output"] ?? 0
            entry.estimatedTokenRequests = row["estimated"] ?? 0
            entry.tokensPerSecond = (row["tps"] as Double?).map { ($0 * 100).rounded() / 100 }
            entry.cost = row["cost"]
            entry.costUnknownRequests = row["unknown_cost"] ?? 0
            entry.evaluation = Self.evaluationAverages(row)
            entry.cache = Self.cacheFigures(row)
            return entry
        }
    }

    /// The cache's part in an aggregate row, when any request of the group has a cache status.
    private static func cacheFigures(_ row: Row) -> AnalyticsReport.CacheFigures? {
        let (hits, misses, bypassed): (Int, Int, Int) =
            (row["cache_hits"] ?? 0, row["cache_misses"] ?? 0, row["cache_bypassed"] ?? 0)
        guard hits + misses + bypassed > 0 else { return nil }
        var figures = AnalyticsReport.CacheFigures(hits: hits, misses: misses, bypassed: bypassed)
        figures.savedCost = row["cache_saved"]
        return figures
    }

    /// The judge's mean scores in an aggregate row, when any request of the group asked for them.
    private static func evaluationAverages(_ row: Row) -> AnalyticsReport.EvaluationAverages? {
        let scored: Int = row["scored"] ?? 0
        let failed: Int = row["eval_failed"] ?? 0
        guard scored + failed > 0 else { return nil }
        var averages = AnalyticsReport.EvaluationAverages(scored: scored, failed: failed)
        let mean = { (column: String) -> Double? in (row[column] as Double?).map { ($0 * 100).rounded() / 100 } }
        averages.relevance = mean("relevance")
        averages.accuracy = mean("accuracy")
        averages.completeness = mean("completeness")
        averages.overall = mean("overall")
        return averages
    }

    /// p50, p95 and p99 of `column` per group: the value of rank ⌈p·n⌉ in the group's sorted values.
    private static func percentiles(
        _ db: Database,
        of column: String,
        group: String,
        filter: RowFilter
    ) throws -> [String: AnalyticsReport.Percentiles] {
        let sql = """
            WITH ranked AS (
                SELECT \(group) AS g, \(column) AS v,
                    ROW_NUMBER() OVER (PARTITION BY \(group) ORDER BY \(column)) AS rn,
                    COUNT(*) OVER (PARTITION BY \(group)) AS n
                FROM requests WHERE \(filter.sql) AND \(column) IS NOT NULL
            )
            SELECT g, MIN(CASE WHEN rn >= 0.50 * n THEN v END) AS p50,
                MIN(CASE WHEN rn >= 0.95 * n THEN v END) AS p95, MIN(CASE WHEN rn >= 0.99 * n THEN v END) AS p99
            FROM ranked GROUP BY g
            """
        var result: [String: AnalyticsReport.Percentiles] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: filter.arguments) {
            result[row["g"] ?? "-"] = AnalyticsReport.Percentiles(
                p50: row["p50"] ?? 0,
                p95: row["p95"] ?? 0,
                p99: row["p99"] ?? 0
            )
        }
        return result
    }

    private static func topErrors(
        _ db: Database,
        group: String,
        filter: RowFilter
    ) throws -> [String: [AnalyticsReport.ErrorCount]] {
        let sql = """
            SELECT \(group) AS g, error_type, COUNT(*) AS c FROM requests
            WHERE \(filter.sql) AND error_type IS NOT NULL
            GROUP BY g, error_type ORDER BY g, c DESC, error_type
            """
        var result: [String: [AnalyticsReport.ErrorCount]] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: filter.arguments) {
            let key: String = row["g"] ?? "-"
            guard result[key, default: []].count < 3 else { continue }
            result[key, default: []].append(
                AnalyticsReport.ErrorCount(type: row["error_type"] ?? "", count: row["c"] ?? 0)
            )
        }
        return result
    }
}

/// The `WHERE` clause every analytics query shares: the time range and what the reader may see.
struct RowFilter {
    var sql: String
    var arguments: StatementArguments

    init(since: Double, until: Double, visibility: AnalyticsStore.Visibility) {
        sql = "started_at >= ? AND started_at < ?"
        arguments = [since, until]
        if case .tenant(let tenant) = visibility {
            sql += " AND tenant = ?"
            arguments += [tenant]
        }
    }
}
