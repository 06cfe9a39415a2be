import Foundation
import NeuroLinkBasics
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSecurity

/// The security stage (docs/security.md), after validation and before anything can reach a
/// provider: the caller's policy (providers, pools, models, `maxTokens`, features), the input
/// limits, prompt-injection detection on user and tool messages (flag or block), input
/// redaction; then it puts output redaction and the content filters into the transform chain.
public struct SecurityStage: PreludeStage {
    let security: DaemonConfig.Security
    let engine: SecurityEngine
    /// Runs the injection classifier's request, when a tenant's rules name one.
    let classifier: InjectionClassifier?

    public func prelude(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        guard let error = await inspect(&request, &output) else { return nil }
        request.refusal = .rejected
        return error
    }

    /// Applies everything before `next`; the error that refuses the request, if any.
    ///
    /// The work is synchronous (`decide`) except for the two rare waits, the injection classifier and
    /// the flagged-request notice, each in a function of its own. An async frame's memory stays with the
    /// task for as long as its stream is open, and every value this one holds is small: holding the
    /// screening (the caller's rules, the verdict, the prompt for the classifier) made it 3.1 KiB, a task
    /// allocator slab of its own for every open stream.
    @inline(never)
    private func inspect(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        let verdict: Verdict
        switch decide(&request, &output) {
        case .decided(let decided): verdict = decided
        case .askClassifier(let screening): verdict = await ask(screening, &request, &output)
        }
        switch verdict {
        case .refused(let error): return error
        case .passed: return nil
        case .flagged:
            return await noticeFlagged(
                request.security.injectionScore,
                request.security.injectionSignals,
                request.context,
                &output
            )
        }
    }

    private enum Verdict {
        case refused(RPCError)
        case passed
        /// Passed with an injection score over the threshold in `flag` mode: the client hears of it.
        case flagged
    }

    private enum FirstStep {
        case decided(Verdict)
        /// The classifier must be asked before deciding.
        case askClassifier(HeapBox<Screening>)
    }

    /// Screens the request and applies the screening, unless the classifier must be asked first.
    @inline(never)
    private func decide(_ request: inout PipelineRequest, _ output: inout ResponseOutput) -> FirstStep {
        switch screen(&request) {
        case .failure(let refusal): return .decided(.refused(refusal))
        case .success(let screening):
            if screening.question != nil, classifier != nil { return .askClassifier(HeapBox(screening)) }
            return .decided(verdict(screening, &request, &output))
        }
    }

    /// The injection classifier's opinion folded into the screening, which is then applied.
    @inline(never)
    private func ask(
        _ screening: HeapBox<Screening>,
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput
    ) async -> Verdict {
        var screened = screening.value
        if let classifier, let question = screened.question {
            let opinion = await classifier.opinion(question.chat, settings: question.model, parent: request)
            screened.outcome.classifierVerdict = opinion.description
            if case .decided(let isAttack) = opinion { screened.attack = isAttack }
        }
        return verdict(screened, &request, &output)
    }

    private func verdict(
        _ screening: Screening,
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput
    )
        -> Verdict
    {
        if let refusal = apply(screening, &request, &output) { return .refused(refusal) }
        return request.security.injectionAction == "flagged" ? .flagged : .passed
    }

    /// Tells the client its request was flagged; the error when that cannot be delivered.
    @inline(never)
    private func noticeFlagged(
        _ score: Double?,
        _ signals: [String],
        _ context: RequestContext,
        _ output: inout ResponseOutput
    ) async -> RPCError? {
        do {
            try await output.notify(
                Notice(kind: Notice.security, reason: "prompt_injection", score: score, signals: signals)
            )
        } catch {
            return context.failedDelivery(error)
        }
        return nil
    }

    /// The caller's policy and the input limits, then the injection score: a refusal, or what `apply`
    /// needs (and whether the classifier must be asked first).
    @inline(never)
    private func screen(_ request: inout PipelineRequest) -> Result<Screening, RPCError> {
        guard var prepared = request.prepared else {
            return .failure(RPCError(.internal, "security ran before validation"))
        }
        let policy = security.policy(for: request.context.caller)
        let rules = policy?.rules ?? security.rules
        if let policy {
            // The check may also adjust the request (it is written back either way).
            let denial = PolicyCheck(policy: policy).refusal(request.params, &prepared)
            request.prepared = prepared
            if let denial { return .failure(denial) }
        }
        if let violation = rules.limits.violation(prepared.chat) { return .failure(violation) }
        var screening = Screening(rules: rules, semanticCacheDenied: policy?.features.semanticCache == false)
        let injection = rules.injection
        guard injection.mode != .off else { return .success(screening) }
        let scored = engine.scoreInjection(prepared.chat)
        screening.outcome.injectionScore = (scored.score * 10_000).rounded() / 10_000
        screening.outcome.injectionSignals = scored.families
        screening.score = scored
        screening.attack = scored.score >= injection.threshold
        if classifier != nil, let model = injection.classifier, scored.score >= injection.threshold / 2 {
            screening.question = (prepared.chat, model)
        }
        return .success(screening)
    }

    /// The injection verdict, input redaction and the output transforms; the block, if the request is one.
    @inline(never)
    private func apply(
        _ screening: Screening,
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput
    )
        -> RPCError?
    {
        var outcome = screening.outcome
        let injection = screening.rules.injection
        if screening.attack, let scored = screening.score {
            outcome.injectionAction = injection.mode == .block ? "blocked" : "flagged"
            if injection.mode == .block {
                request.security = outcome
                return InjectionBlock(score: scored.score, families: scored.families).error(output: &output)
            }
        }
        request.security = outcome
        guard var prepared = request.prepared else { return RPCError(.internal, "security ran before validation") }
        let rules = screening.rules
        engine.redactInput(&prepared.chat, rules.redaction, &request.security)
        request.prepared = prepared
        var shaping: [String] = []
        if rules.redaction.output {
            let redaction = engine.redactionRules(rules.redaction)
            output.append(RedactionTransform(rules: redaction))
            shaping.append("redact:" + redaction.signature)
        }
        if let filter = engine.filterTransform() {
            output.append(filter)
            shaping.append("filters:" + engine.filterSignature)
        }
        request.answerShaping = shaping.isEmpty ? nil : shaping.joined(separator: ";")
        if screening.semanticCacheDenied { request.semanticCacheAllowed = false }
        return nil
    }
}

/// What screening found, carried over the classifier's wait.
private struct Screening: Sendable {
    var rules: SecurityRules
    var semanticCacheDenied: Bool
    var outcome = SecurityOutcome()
    var score: (score: Double, families: [String])?
    var attack = false
    /// Set when the classifier is to be asked about the prompt.
    var question: (chat: ChatRequest, model: InjectionSettings.Classifier)?
}

/// A blocked request's error.
struct InjectionBlock {
    var score: Double
    var families: [String]

    func error(output: inout ResponseOutput) -> RPCError {
        let signals = families.isEmpty ? "" : " (\(families.joined(separator: ", ")))"
        var error = RPCError(
            .contentBlocked,
            "the request was blocked by prompt-injection detection: score \(String(format: "%.2f", score))\(signals)"
        )
        error.data.rule = "injection"
        return error
    }
}
