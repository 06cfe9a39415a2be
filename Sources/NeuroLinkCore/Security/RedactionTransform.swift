import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSecurity

/// Output redaction as a stage of the transform chain: text and reasoning stream through a
/// ``StreamingRedactor`` each (exact across chunk boundaries, holding back at most its window),
/// complete tool calls have their arguments redacted whole. What it replaced is counted by
/// detector for the record, never kept.
struct RedactionTransform: StreamTransform {
    private var text: StreamingRedactor
    private var reasoning: StreamingRedactor
    private let whole: Redactor
    private var toolCounts = RedactionCounts()

    init(rules: RedactionRules) {
        text = StreamingRedactor(rules: rules)
        reasoning = StreamingRedactor(rules: rules)
        whole = Redactor(rules: rules)
    }

    mutating func text(_ piece: String) -> String { text.feed(piece) }
    mutating func reasoning(_ piece: String) -> String { reasoning.feed(piece) }

    mutating func toolCall(_ call: ToolCall) -> ToolCall {
        var call = call
        call.arguments = Self.redacted(call.arguments, whole, &toolCounts, depth: 0)
        return call
    }

    /// Every string of `value`, keys included, redacted whole. Nesting deeper than JSON parsers
    /// accept (512) is replaced rather than walked, so no input can exhaust the stack.
    static func redacted(
        _ value: JSONValue,
        _ redactor: Redactor,
        _ counts: inout RedactionCounts,
        depth: Int
    ) -> JSONValue {
        guard depth < 512 else { return .string("[REDACTED]") }
        switch value {
        case .string(let text):
            let (clean, found) = redactor.redact(text)
            counts.add(found)
            return .string(clean)
        case .array(let items):
            return .array(items.map { redacted($0, redactor, &counts, depth: depth + 1) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                let (cleanKey, found) = redactor.redact(key)
                counts.add(found)
                result[cleanKey] = redacted(member, redactor, &counts, depth: depth + 1)
            }
            return .object(result)
        case .null, .bool, .number:
            return value
        }
    }

    mutating func flush() -> (text: String, reasoning: String) {
        (text.finish(), reasoning.finish())
    }

    func report(into outcome: inout SecurityOutcome) {
        for counts in [text.counts, reasoning.counts, toolCounts] {
            for (kind, count) in counts.nonZero { outcome.outputRedactions[kind.rawValue, default: 0] += count }
        }
    }
}

extension RedactionRules {
    /// Names the detectors and replacements in cache keys: stable across restarts.
    var signature: String {
        let kinds = enabledKinds.map(\.rawValue).sorted().joined(separator: ",")
        let replaced = replacements.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ",")
        return kinds + "|" + replaced
    }
}
