import NeuroLinkProtocol
import NeuroLinkProviders

/// The tool loop, between the cache and admission: with tools the daemon runs (`enableTools`, a
/// daemon tool named in `tools`, a client-executed tool), it offers them to the model and calls
/// `next` once per model turn. When a turn calls only such tools, it runs them (``ToolExecutor``),
/// sends a `tool_result` chunk for each, adds the turn and the results to the conversation and
/// goes on, up to `maxSteps` turns. Each turn is admitted, routed and retried like a request of
/// its own; the request still has one `finish`, with the usage of every turn.
public struct ToolLoopStage: RequestStage {
    let catalog: ToolCatalog
    let settings: DaemonConfig.Tools
    let security: DaemonConfig.Security
    let engine: SecurityEngine

    public func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        switch plan(&request) {
        case .failure(let error):
            request.refusal = .rejected
            return .failure(error)
        case .success(nil):
            return await next(&request, &output)
        case .success(let plan?):
            var loop = ToolLoop(plan: plan, executor: executor(for: request, plan: plan))
            return await loop.run(&request, &output, next: next)
        }
    }

    /// The request's plan, with the tools it offers put into its conversation; `nil` when the
    /// daemon runs no tool for it. Out of line, like every stage's work before `next`.
    @inline(never)
    public func takesPart(in request: PipelineRequest) -> Bool { request.params.runsTools }

    private func plan(_ request: inout PipelineRequest) -> Result<ToolPlan?, RPCError> {
        guard request.params.runsTools else { return .success(nil) }
        guard var prepared = request.prepared else {
            return .failure(RPCError(.internal, "the tool loop ran before the request was validated"))
        }
        let policy = security.policy(for: request.context.caller)
        do {
            let made = try ToolPlan.make(
                request.params,
                catalog: catalog,
                allowed: { policy?.tools.refusal($0) == nil },
                defaultMaxSteps: settings.maxSteps
            )
            guard let made else { return .success(nil) }
            prepared.chat.tools = made.offered
            request.prepared = prepared
            return .success(made.plan)
        } catch {
            return .failure(error)
        }
    }

    @inline(never)
    private func executor(for request: PipelineRequest, plan: ToolPlan) -> ToolExecutor {
        ToolExecutor(
            catalog: catalog,
            settings: settings,
            engine: engine,
            rules: security.rules(for: request.context.caller),
            context: request.context,
            executions: plan.executions
        )
    }
}

/// One request's turns through the tool loop.
struct ToolLoop {
    let plan: ToolPlan
    let executor: ToolExecutor
    /// Summed over the turns so far.
    private var usage: Usage?
    private var steps: [ToolStep] = []
    private var attempts: [RouteInfo.Attempt] = []

    init(plan: ToolPlan, executor: ToolExecutor) {
        self.plan = plan
        self.executor = executor
    }

    mutating func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        for step in 1...max(1, plan.maxSteps) {
            output.beginStep()
            let outcome = await next(&request, &output)
            request.admitted = nil
            guard case .success(let completion) = outcome else { return failed(outcome, &request) }
            usage = Usage.sum(usage, completion.usage)
            attempts += completion.route.attempts ?? []
            let calls = Array(output.stepToolCalls)
            guard plan.runs(calls), step < plan.maxSteps else {
                return await finished(completion, calls: calls, step: step, &request, &output)
            }
            let results: [ToolResult]
            switch await executor.run(calls, output: &output, security: &request.security) {
            case .success(let done): results = done
            case .failure(let error): return failed(.failure(error), &request)
            }
            steps.append(Self.step(step, completion, calls: calls, results: results))
            request.prepared?.chat.messages += Self.messages(for: output.stepText, calls: calls, results: results)
        }
        return .failure(RPCError(.internal, "the tool loop ended without an answer"))
    }

    /// The request's completion after its last turn: usage and attempts of every turn, the turns.
    private mutating func finished(
        _ last: Completion,
        calls: [ToolCall],
        step: Int,
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput
    ) async -> StageResult {
        var completion = last
        if plan.runs(calls) {
            // The model wants more tools than `maxSteps` allows: its calls are the client's now.
            completion.finishReason = .toolCalls
            let notice = Notice(kind: Notice.toolLoop, reason: "max_steps")
            do { try await output.notify(notice) } catch { return .failure(request.context.failedDelivery(error)) }
        }
        steps.append(Self.step(step, last, calls: calls, results: []))
        completion.usage = usage
        completion.route.attempts = attempts
        completion.steps = steps.count > 1 || !calls.isEmpty ? steps : nil
        request.toolSteps = completion.steps
        return .success(completion)
    }

    /// A failed turn ends the request; its error carries the usage of every turn.
    private func failed(_ outcome: StageResult, _ request: inout PipelineRequest) -> StageResult {
        guard case .failure(var error) = outcome else { return outcome }
        error.data.usage = Usage.sum(usage, error.data.usage)
        request.toolSteps = steps.isEmpty ? nil : steps
        return .failure(error)
    }

    private static func step(
        _ index: Int,
        _ completion: Completion,
        calls: [ToolCall],
        results: [ToolResult]
    )
        -> ToolStep
    {
        ToolStep(
            step: index,
            toolCalls: calls,
            toolResults: results,
            finishReason: completion.finishReason,
            usage: completion.usage,
            provider: completion.provider,
            model: completion.model
        )
    }

    /// The turn as the conversation goes on with it: the model's message and one `tool` message
    /// per call, in each provider's format once the adapter renders them.
    private static func messages(for text: String, calls: [ToolCall], results: [ToolResult]) -> [ChatMessage] {
        [ChatMessage(role: "assistant", content: text, toolCalls: calls)]
            + results.map { ChatMessage(role: "tool", content: $0.messageForModel, toolCallId: $0.id) }
    }
}
