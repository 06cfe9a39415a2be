import NeuroLinkProtocol
import NeuroLinkProviders

/// With `enableEvaluation`: once the rest of the pipeline has made the answer, a judge model
/// scores it (``JudgePrompt``) and the scores go out as an `evaluation` chunk before `finish`, and
/// into the result and the record. A judge that fails, times out or answers badly never fails the
/// request: the answer then carries `evaluationError`.
///
/// The judge's request runs through the same validate, admission and attempt stages as any
/// other, under the request's tenant, so limits, routing and failover apply to it. It sits before
/// admission so that the answer's admission permit is released before the judge asks for one.
public struct EvaluationStage: RequestStage {
    /// Runs the judge's request.
    let judging: SideRequest
    let settings: DaemonConfig.Evaluation

    init(judging: StageChain, settings: DaemonConfig.Evaluation) {
        self.judging = SideRequest(chain: judging, maxAnswerBytes: Self.maxJudgeAnswerBytes)
        self.settings = settings
    }

    public func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        guard request.params.enableEvaluation == true else { return await next(&request, &output) }
        return await answerThenJudge(&request, &output, next: next)
    }

    public func takesPart(in request: PipelineRequest) -> Bool { request.params.enableEvaluation == true }

    /// Kept out of ``run(_:_:next:)`` so that requests without evaluation carry none of its frame.
    @inline(never)
    private func answerThenJudge(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        let answered = await next(&request, &output)
        guard case .success(var completion) = answered else { return answered }
        do {
            try await output.endAnswer()
        } catch {
            return .failure(request.context.failedDelivery(error))
        }
        let outcome = await judge(request, answer: output.text, completion: completion)
        if let reason = request.context.cancelReason { return .failure(.stopped(reason, while: "judging the answer")) }
        completion.evaluation = outcome
        do {
            try await output.evaluated(outcome)
        } catch {
            return .failure(request.context.failedDelivery(error))
        }
        return .success(completion)
    }

    /// The judge's verdict on `answer`.
    private func judge(_ request: PipelineRequest, answer: String, completion: Completion) async -> EvaluationOutcome {
        guard !answer.isEmpty else {
            return .failed(EvaluationFailure(kind: "no_text", message: "the answer has no text to evaluate"))
        }
        let params = judgeParams(request, answer: answer, completion: completion)
        let started = ContinuousClock.now
        let verdict = await judging.run(params, for: request.context, timeoutMs: settings.timeoutMs)
        let durationMs = Milliseconds.of(.now - started)
        switch verdict {
        case nil:
            return .failed(
                EvaluationFailure(
                    kind: "timeout",
                    message: "the judge did not answer within evaluation.timeout_ms (\(settings.timeoutMs) ms)"
                )
            )
        case .failure(let error)?:
            return .failed(
                EvaluationFailure(kind: "judge_error", message: "the judge failed: \(error.type): \(error.message)")
            )
        case .success(let result)?:
            return JudgePrompt.evaluation(
                from: result.object,
                objectError: result.objectError,
                judge: "\(result.provider)/\(result.model)",
                durationMs: durationMs
            )
        }
    }

    /// The judge's request: `evaluation.provider`/`model`, or the member that answered.
    private func judgeParams(_ request: PipelineRequest, answer: String, completion: Completion) -> StreamRequest {
        let answering = request.prepared?.pool.members.first { $0.label == completion.route.member }
        let provider = settings.provider ?? answering?.entry.config.name ?? completion.provider
        let model = settings.model ?? (settings.provider == nil ? answering?.model ?? completion.model : nil)
        let conversation = request.prepared?.chat.messages ?? []
        return StreamRequest(
            messages: [
                ChatMessage(role: "system", content: JudgePrompt.instructions(domain: request.params.evaluationDomain)),
                ChatMessage(
                    role: "user",
                    content: JudgePrompt.material(
                        conversation: conversation,
                        answer: answer,
                        limit: settings.maxInputCharacters
                    )
                ),
            ],
            provider: provider,
            model: model,
            maxTokens: settings.maxTokens,
            temperature: 0,
            schema: JudgePrompt.schema
        )
    }

    /// Most bytes of a judge's answer kept: a verdict is a few hundred.
    static let maxJudgeAnswerBytes = 64 << 10
}
