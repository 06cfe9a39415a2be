import FoundationEssentials
import NeuroLinkProtocol

/// How `nlctl analytics` prints reports and exported rows.
enum AnalyticsView {
    static func table(_ report: AnalyticsReport) -> String {
        let header = [
            report.by.rawValue, "requests", "ok %", "ttfc p50", "p95", "p99", "dur p50", "p95", "tok in", "tok out",
            "tok/s", "cost $", "top errors",
        ]
        let rows = report.groups.map { group -> [String] in
            [
                group.key, "\(group.requests)", percent(group.successRate),
                ms(group.timeToFirstChunkMs?.p50), ms(group.timeToFirstChunkMs?.p95), ms(group.timeToFirstChunkMs?.p99),
                ms(group.durationMs.p50), ms(group.durationMs.p95),
                "\(group.inputTokens)" + (group.estimatedTokenRequests > 0 ? "~" : ""),
                "\(group.outputTokens)" + (group.estimatedTokenRequests > 0 ? "~" : ""),
                group.tokensPerSecond.map { String(cFormat: "%.1f", $0) } ?? "-",
                group.cost.map { String(cFormat: "%.6f", $0) } ?? "-",
                group.topErrors.map { "\($0.type)×\($0.count)" }.joined(separator: " "),
            ]
        }
        let evaluated = report.groups.contains { $0.evaluation != nil }
        let table =
            evaluated
            ? zip([header] + rows, [["eval"]] + report.groups.map { [judged($0.evaluation)] }).map { $0 + $1 }
            : [header] + rows
        var text = StatusView.table(table).joined(separator: "\n") + "\n"
        if evaluated { text += "eval: the judge's mean overall score out of 10, and how many answers it scored\n" }
        if report.groups.isEmpty { text += "no requests recorded in this range\n" }
        if report.groups.contains(where: { $0.estimatedTokenRequests > 0 }) {
            text += "~ some token counts are estimates: the provider reported none\n"
        }
        for advice in report.recommendations { text += "advice: \(advice)\n" }
        return text
    }

    static func csv(_ report: AnalyticsReport) -> String {
        var lines = [
            "\(report.by.rawValue),requests,succeeded,success_rate,ttfc_p50_ms,ttfc_p95_ms,ttfc_p99_ms,duration_p50_ms,duration_p95_ms,duration_p99_ms,input_tokens,output_tokens,estimated_token_requests,tokens_per_second,cost_usd,cost_unknown_requests,top_errors,eval_scored,eval_failed,eval_relevance,eval_accuracy,eval_completeness,eval_overall"
        ]
        for g in report.groups {
            let fields: [String] = [
                g.key, "\(g.requests)", "\(g.succeeded)", "\(g.successRate)",
                number(g.timeToFirstChunkMs?.p50), number(g.timeToFirstChunkMs?.p95), number(g.timeToFirstChunkMs?.p99),
                "\(g.durationMs.p50)", "\(g.durationMs.p95)", "\(g.durationMs.p99)", "\(g.inputTokens)",
                "\(g.outputTokens)", "\(g.estimatedTokenRequests)", number(g.tokensPerSecond), number(g.cost),
                "\(g.costUnknownRequests)", g.topErrors.map { "\($0.type):\($0.count)" }.joined(separator: " "),
                "\(g.evaluation?.scored ?? 0)", "\(g.evaluation?.failed ?? 0)", number(g.evaluation?.relevance),
                number(g.evaluation?.accuracy), number(g.evaluation?.completeness), number(g.evaluation?.overall),
            ]
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `7.5 (4)`: the mean overall score and the answers scored; `-` without evaluations.
    private static func judged(_ evaluation: AnalyticsReport.EvaluationAverages?) -> String {
        guard let evaluation, let overall = evaluation.overall else { return "-" }
        return String(cFormat: "%.1f (%ld)", overall, evaluation.scored)
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: Export

    /// The export's CSV columns, in order: every column of the `requests` table.
    static let exportColumns = AnalyticsExportPage.columns

    static var csvHeader: String { exportColumns.joined(separator: ",") + "\n" }

    static func csvLine(_ row: JSONValue) -> String {
        exportColumns.map { column -> String in
            switch row[column] {
            case nil, .null?: ""
            case .string(let text)?: csvField(text)
            case .number(let number)?: number.rounded() == number && abs(number) < 1e15 ? "\(Int(number))" : "\(number)"
            case .bool(let flag)?: flag ? "true" : "false"
            case let value?: csvField(compact(value))
            }
        }.joined(separator: ",") + "\n"
    }

    static func jsonLine(_ row: JSONValue) -> String { compact(row) + "\n" }

    // MARK: Helpers

    private static func compact(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    private static func number(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
    private static func ms(_ value: Double?) -> String { value.map { String(cFormat: "%.0f", $0) } ?? "-" }
    private static func percent(_ rate: Double) -> String { String(cFormat: "%.1f", rate * 100) }
}
