import Foundation
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSecurity

/// The security stage (docs/security.md), after validation and before anything can reach a
/// provider: the caller's policy (providers, pools, models, `maxTokens`, features), the input
/// limits, prompt-injection detection on user and tool messages (flag or block), input
/// redaction; then it puts output redaction and the content filters into the transform chain.
public struct SecurityStage: RequestStage {
    let security: DaemonConfig.Security
    let engine: SecurityEngine
    /// Runs the injection classifier's request, when a tenant's rules name one.
    let classifier: InjectionClassifier?

    public func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        if let error = await inspect(&request, &output) {
            request.refusal = .rejected
            return .failure(error)
        }
        return await next(&request, &output)
    }

    /// Applies everything before `next`; the error that refuses the request, if any.
    @inline(never)
    private func inspect(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        guard var prepared = request.prepared else { return RPCError(.internal, "security ran before validation") }
        let caller = request.context.caller
        let policy = security.policy(for: caller)
        let rules = policy?.rules ?? security.rules
        if let policy, let denial = PolicyCheck(policy: policy).refusal(request.params, &prepared) {
            request.prepared = prepared
            return denial
        }
        if let violation = rules.limits.violation(prepared.chat) { return violation }
        var outcome = SecurityOutcome()
        let verdict = await injectionVerdict(prepared.chat, rules.injection, request, &outcome)
        request.security = outcome
        if let verdict { return verdict.error(output: &output) }
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
        if policy?.features.semanticCache == false { request.semanticCacheAllowed = false }
        if request.security.injectionAction == "flagged" {
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
        }
        return nil
    }

    /// Scores the user and tool messages; with the tenant's classifier, asks it about prompts
    /// near or over the threshold. Returns the block, or `nil` to go on (flagged or not).
    private func injectionVerdict(
        _ chat: ChatRequest,
        _ settings: InjectionSettings,
        _ request: PipelineRequest,
        _ outcome: inout SecurityOutcome
    ) async -> InjectionBlock? {
        guard settings.mode != .off else { return nil }
        let scored = engine.scoreInjection(chat)
        outcome.injectionScore = (scored.score * 10_000).rounded() / 10_000
        outcome.injectionSignals = scored.families
        var attack = scored.score >= settings.threshold
        if let classifier, let model = settings.classifier, scored.score >= settings.threshold / 2 {
            let opinion = await classifier.opinion(chat, settings: model, parent: request)
            outcome.classifierVerdict = opinion.description
            if case .decided(let isAttack) = opinion { attack = isAttack }
        }
        guard attack else { return nil }
        outcome.injectionAction = settings.mode == .block ? "blocked" : "flagged"
        return settings.mode == .block ? InjectionBlock(score: scored.score, families: scored.families) : nil
    }
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
