import GRDB
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkRouting

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One request as the `requests` table stores it (docs/architecture.md, "Analytics"): made from a
/// ``RequestRecord`` on the writer's thread, never on the request's.
struct AnalyticsRow: Sendable {
    let arguments: StatementArguments

    /// The columns written, in the order of ``values``: every exported column but the row's `id`.
    static let columns = Array(AnalyticsExportPage.columns.dropFirst())

    static let insertSQL =
        "INSERT INTO requests (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"

    init(_ record: RequestRecord, encoder: JSONEncoder) {
        var rest = record.context ?? [:]
        let userId = rest.removeValue(forKey: "userId")
        let sessionId = rest.removeValue(forKey: "sessionId")
        let evaluation = record.evaluation?.evaluation
        let failure: EvaluationFailure? =
            if case .failed(let failure) = record.evaluation { failure } else { nil }
        let columns: [(any DatabaseValueConvertible)?] = [
            record.requestId.description, record.startedAt, record.method, record.outcome.rawValue,
            record.caller.tenant.name, record.caller.tenant.subKey, record.caller.uid.map { Int64($0) },
            record.caller.username, record.caller.gid.map { Int64($0) },
            userId.map(Self.text), sessionId.map(Self.text), rest.isEmpty ? nil : Self.json(rest, encoder),
            record.provider, record.model, record.pool, record.member,
            record.attempts.isEmpty ? nil : Self.json(record.attempts),
            record.timeToFirstChunkMs, record.durationMs, record.chunks, record.bytesSent,
            record.usage?.inputTokens, record.usage?.outputTokens, record.usage?.cachedInputTokens,
            record.usage?.reasoningTokens, record.usage.map { $0.estimated == true },
            record.tokensPerSecond, record.cost, record.finishReason?.rawValue, record.errorType?.rawValue,
            record.failureClass?.rawValue,
            evaluation?.relevance, evaluation?.accuracy, evaluation?.completeness, evaluation?.overall,
            evaluation?.judge, failure?.kind,
            record.cache?.status.rawValue, record.cache?.ageMs, record.cache?.savedCost, record.cache?.similarity,
            record.errorRule, record.security?.injectionScore, record.security?.injectionAction,
            record.security.flatMap(Self.redactions),
            record.security.flatMap { $0.filtered.isEmpty ? nil : $0.filtered.joined(separator: ",") },
            record.toolSteps?.count, record.toolSteps.flatMap(Self.toolCalls),
        ]
        // The existential overload: the generic one maps through a key path, a fifth of the writer's time.
        arguments = StatementArguments(columns)
    }

    /// Redaction counts by direction and detector, as JSON; `nil` when there are none.
    static func redactions(_ security: SecurityOutcome) -> String? {
        let directions = [
            ("input", security.inputRedactions), ("output", security.outputRedactions),
            ("unredacted", security.unredactedInput),
        ]
        .filter { !$0.1.isEmpty }
        guard !directions.isEmpty else { return nil }
        let parts = directions.map { name, counts in
            let entries = counts.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\($0.value)" }
            return "\(JSONText.quoted(name)):{\(entries.joined(separator: ","))}"
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// The tools the loop ran, by turn, as JSON; `nil` when it ran none.
    static func toolCalls(_ steps: [ToolStep]) -> String? {
        let entries = steps.flatMap { step in
            step.toolResults.map { result in
                "{\"step\":\(step.step),\"name\":\(JSONText.quoted(result.name)),"
                    + "\"execution\":\(JSONText.quoted(result.execution.rawValue)),"
                    + "\"ok\":\(result.error == nil),\"ms\":\(result.durationMs)}"
            }
        }
        return entries.isEmpty ? nil : "[" + entries.joined(separator: ",") + "]"
    }

    /// A context value as a column: strings as they are, anything else as its JSON.
    private static func text(_ value: JSONValue) -> String {
        value.stringValue ?? json(value, JSONEncoder())
    }

    /// `attempts` as JSON, written by hand: `JSONEncoder` took a sixth of the writer's time.
    static func json(_ attempts: [RouteInfo.Attempt]) -> String {
        var text = "["
        for (index, attempt) in attempts.enumerated() {
            if index > 0 { text += "," }
            text += "{\"member\":\(JSONText.quoted(attempt.member)),\"outcome\":\(JSONText.quoted(attempt.outcome))"
            if let wait = attempt.waitMs { text += ",\"waitMs\":\(wait)" }
            text += "}"
        }
        return text + "]"
    }

    private static func json(_ value: some Encodable, _ encoder: JSONEncoder) -> String {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
