import Foundation
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
    /// The work is synchronous (`screen`, `apply`) except for the two rare waits, the injection classifier
    /// and the flagged-request notice: this async frame holds only what crosses them, because an async
    /// frame's memory stays with the task for as long as its stream is open.
    @inline(never)
    private func inspect(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        var screening: Screening
        switch screen(&request) {
        case .failure(let refusal): return refusal
        case .success(let screened): screening = screened
        }
        if let question = screening.question, let classifier {
            let opinion = await classifier.opinion(question.chat, settings: question.model, parent: request)
            screening.outcome.classifierVerdict = opinion.description
            if case .decided(let isAttack) = opinion { screening.attack = isAttack }
        }
        if let refusal = apply(screening, &request, &output) { return refusal }
        guard request.security.injectionAction == "flagged" else { return nil }
        do {
            try await output.notify(
                Notice(
                    kind: Notice.security,
                    reason: "prompt_injection",
                    score: request.security.injectionScore,
                    signals: request.security.injectionSignals
                )
            )
        } catch {
            return request.context.failedDelivery(error)
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
private struct Screening {
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
