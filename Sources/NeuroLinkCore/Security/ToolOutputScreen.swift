import NeuroLinkProtocol
import NeuroLinkSecurity

extension SecurityEngine {
    /// A tool's output before the model sees it, checked like user input: a tool that returns text
    /// written by someone else (a web page, a file, a mail) is where indirect prompt injections
    /// come from. Redaction applies when the tenant redacts input or output; an injection over the
    /// threshold is flagged (passed on, noted) or blocked (withheld: the model is shown an error).
    func screenToolOutput(
        _ result: inout ToolResult,
        rules: SecurityRules,
        outcome: inout SecurityOutcome
    ) {
        guard var text = result.content else { return }
        let redaction = rules.redaction
        if redaction.input || redaction.output {
            let redactor = redactors[redaction] ?? Redactor(rules: redactionRules(redaction))
            let (clean, counts) = redactor.redact(text)
            for (kind, count) in counts.nonZero { outcome.inputRedactions[kind.rawValue, default: 0] += count }
            if counts.total > 0 { text = clean }
        }
        result.content = text
        let settings = rules.injection
        guard settings.mode != .off else { return }
        let verdict = scorer.score(text)
        guard verdict.score >= settings.threshold else { return }
        let score = (verdict.score * 10_000).rounded() / 10_000
        outcome.injectionScore = max(outcome.injectionScore ?? 0, score)
        let families = Set(outcome.injectionSignals).union(verdict.signals.map(\.family.rawValue))
        outcome.injectionSignals = families.sorted()
        if settings.mode == .block {
            outcome.injectionAction = "blocked"
            result.injection = "blocked"
            result.content = nil
            result.error =
                "the tool's output was withheld: it looks like a prompt injection (score \(score), threshold \(settings.threshold))"
        } else {
            if outcome.injectionAction == nil { outcome.injectionAction = "flagged" }
            result.injection = "flagged"
        }
    }
}
