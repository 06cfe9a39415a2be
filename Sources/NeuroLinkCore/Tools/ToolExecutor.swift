import NeuroLinkProtocol

/// Runs one model turn's tool calls for the tool loop: several at once (`tools.max_parallel_calls`),
/// each within its time limit, daemon tools through the ``ToolCatalog`` and client tools by waiting
/// for the client's `tool.result`. Every output is screened like user input before the model sees
/// it, and each result goes to the client as a `tool_result` chunk as soon as it is ready.
struct ToolExecutor: Sendable {
    let catalog: ToolCatalog
    let settings: DaemonConfig.Tools
    let engine: SecurityEngine
    let rules: SecurityRules
    let context: RequestContext
    /// Who runs each tool (``ToolPlan/executions``).
    let executions: [String: ToolExecution]

    /// The results, in the order of `calls`; an error when the request was stopped meanwhile or
    /// its client is gone.
    func run(
        _ calls: [ToolCall],
        output: inout ResponseOutput,
        security: inout SecurityOutcome
    ) async -> Result<[ToolResult], RPCError> {
        var results = [ToolResult?](repeating: nil, count: calls.count)
        let stopped: RPCError? = await withTaskGroup(of: (Int, ToolResult)?.self) { group in
            // Ends the group early when the request is cancelled.
            group.addTask { [context] in
                await context.clientTools.untilClosed()
                return nil
            }
            var launched = 0
            while launched < min(calls.count, settings.maxParallelCalls) {
                group.addTask { [call = calls[launched], index = launched] in (index, await execute(call)) }
                launched += 1
            }
            var finished = 0
            while finished < calls.count, let next = await group.next() {
                guard case (let index, var result)? = next else { break }
                finished += 1
                if let error = await deliver(&result, output: &output, security: &security) {
                    group.cancelAll()
                    return error
                }
                results[index] = result
                if launched < calls.count {
                    group.addTask { [call = calls[launched], index = launched] in (index, await execute(call)) }
                    launched += 1
                }
            }
            group.cancelAll()
            return nil
        }
        if let stopped { return .failure(stopped) }
        if let reason = context.cancelReason { return .failure(RPCError.stopped(reason, while: "running tools")) }
        return .success(results.compactMap { $0 })
    }

    /// Screens a result and sends it to the client; the error when it could not be sent.
    private func deliver(
        _ result: inout ToolResult,
        output: inout ResponseOutput,
        security: inout SecurityOutcome
    ) async -> RPCError? {
        engine.screenToolOutput(&result, rules: rules, outcome: &security)
        do {
            if result.injection == "flagged" {
                try await output.notify(
                    Notice(
                        kind: Notice.security,
                        reason: "prompt_injection_in_tool_output",
                        score: security.injectionScore,
                        signals: security.injectionSignals
                    )
                )
            }
            try await output.toolResult(result)
            return nil
        } catch {
            return context.failedDelivery(error)
        }
    }

    private func execute(_ call: ToolCall) async -> ToolResult {
        switch executions[call.name] {
        case .daemon?:
            let outcome = await catalog.call(ToolCallRequest(name: call.name, arguments: call.arguments))
            return ToolResult(
                id: call.id,
                name: call.name,
                content: outcome?.content,
                error: outcome == nil ? "no daemon tool is called \(call.name)" : outcome?.error,
                durationMs: outcome?.durationMs ?? 0,
                execution: .daemon
            )
        case .client?, nil:
            return await clientResult(call)
        }
    }

    /// Waits for the client's `tool.result` for `call`.
    private func clientResult(_ call: ToolCall) async -> ToolResult {
        let started = ContinuousClock.now
        let reply = await context.clientTools.result(for: call.id, timeout: .milliseconds(settings.clientTimeoutMs))
        let durationMs = Milliseconds.of(.now - started)
        guard let reply else {
            let error =
                context.cancelReason == nil
                ? "the client sent no tool.result within tools.client_timeout_ms (\(settings.clientTimeoutMs) ms)"
                : "the request was stopped"
            return ToolResult(id: call.id, name: call.name, error: error, durationMs: durationMs, execution: .client)
        }
        return ToolResult(
            id: call.id,
            name: call.name,
            content: reply.content.map(catalog.cut),
            error: reply.error.map(catalog.cut),
            durationMs: durationMs,
            execution: .client
        )
    }
}
