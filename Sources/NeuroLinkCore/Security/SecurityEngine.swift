import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSecurity

/// The detectors of one configuration generation, built once: the injection scorer, a redactor
/// per distinct redaction setting, and the compiled content filters.
public struct SecurityEngine: Sendable {
    let scorer: InjectionScorer
    let filters: ContentFilterRules
    /// Names the filters in cache keys: stable across restarts, unlike a hash value.
    let filterSignature: String
    /// A compiled whole-text redactor per redaction setting of the defaults and the policies:
    /// every request scans its prompt, so none compiles its rules on the way.
    let redactors: [RedactionSettings: Redactor]

    public init(_ security: DaemonConfig.Security) {
        scorer = InjectionScorer(rules: .default)
        filters = security.filters
        filterSignature = "\(security.filters.rules)"
        var redactors: [RedactionSettings: Redactor] = [:]
        for settings in [security.rules.redaction] + security.policies.map(\.rules.redaction)
        where redactors[settings] == nil {
            redactors[settings] = Redactor(rules: Self.redactionRules(settings))
        }
        self.redactors = redactors
    }

    /// The score of the user and tool messages (never the system prompt, never the assistant's):
    /// the highest of any message, with the signal families of all of them.
    public func scoreInjection(_ chat: ChatRequest) -> (score: Double, families: [String]) {
        var best = 0.0
        var families: Set<String> = []
        for message in chat.messages where message.role == "user" || message.role == "tool" {
            let verdict = scorer.score(message.content)
            best = max(best, verdict.score)
            for signal in verdict.signals { families.insert(signal.family.rawValue) }
        }
        return (best, families.sorted())
    }

    /// The detectors and replacements `settings` asks for.
    public func redactionRules(_ settings: RedactionSettings) -> RedactionRules {
        Self.redactionRules(settings)
    }

    static func redactionRules(_ settings: RedactionSettings) -> RedactionRules {
        let kinds = settings.kinds.map { Set($0.compactMap(PIIKind.init(rawValue:))) } ?? Set(PIIKind.allCases)
        var replacements: [PIIKind: String] = [:]
        for (name, text) in settings.replacements {
            if let kind = PIIKind(rawValue: name) { replacements[kind] = text }
        }
        return RedactionRules(enabledKinds: kinds, replacements: replacements)
    }

    /// With input redaction on, replaces the detected values in every message before a provider
    /// sees them (counted in `inputRedactions`); with it off, counts what it would have replaced
    /// in user and tool messages (`unredactedInput`, for the audit log's recommendations).
    public func redactInput(_ chat: inout ChatRequest, _ settings: RedactionSettings, _ outcome: inout SecurityOutcome)
    {
        let redactor = redactors[settings] ?? Redactor(rules: redactionRules(settings))
        for index in chat.messages.indices {
            let message = chat.messages[index]
            guard settings.input || message.role == "user" || message.role == "tool" else { continue }
            let (clean, counts) = redactor.redact(message.content)
            for (kind, count) in counts.nonZero {
                if settings.input {
                    outcome.inputRedactions[kind.rawValue, default: 0] += count
                } else {
                    outcome.unredactedInput[kind.rawValue, default: 0] += count
                }
            }
            if settings.input, counts.total > 0 { chat.messages[index].content = clean }
        }
    }

    /// A fresh filter for one answer, when filters are configured (the loader validated them).
    func filterTransform() -> FilterTransform? {
        guard !filters.rules.isEmpty else { return nil }
        return try? FilterTransform(rules: filters)
    }
}
