import NeuroLinkProtocol

/// A `generate` the daemon makes on behalf of a request — the evaluation judge, the injection
/// classifier — through stages of the same generation, under the same tenant, so that limits,
/// routing and failover apply to it. Stopping the request stops it; it never outlives its limit.
struct SideRequest: Sendable {
    /// The stages that run it (validate, admission, attempt).
    let chain: StageChain
    /// Most bytes of its answer kept.
    let maxAnswerBytes: Int

    /// Runs `params` for `parent`; `nil` when it did not finish within `timeoutMs`. The time it
    /// spent upstream and queued is added to the parent's, so the parent's overhead excludes it.
    func run(
        _ params: StreamRequest,
        for parent: RequestContext,
        timeoutMs: Int
    ) async -> Result<StreamResult, RPCError>? {
        let context = RequestContext(id: parent.id, method: Method.generate, caller: parent.caller, scope: .detached)
        parent.setCancelHandler { [parent] in context.cancel(reason: parent.cancelReason ?? .cancelled) }
        defer { parent.setCancelHandler(nil) }
        let outcome = await withTaskGroup(of: Result<StreamResult, RPCError>?.self) { group in
            group.addTask { await generate(params, context: context) }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(timeoutMs))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = await group.next(), let result = first else {
                context.cancel(reason: .timeout)
                return Result<StreamResult, RPCError>?.none
            }
            return result
        }
        parent.addTimes(of: context)
        return outcome
    }

    private func generate(_ params: StreamRequest, context: RequestContext) async -> Result<StreamResult, RPCError> {
        var request = PipelineRequest(context: context, params: params)
        var output = ResponseOutput(sink: DiscardingSink(), schema: params.schema, maxAnswerBytes: maxAnswerBytes)
        switch await chain.run(&request, &output) {
        case .success(let completion):
            do { try await output.endAnswer() } catch { return .failure(context.failedDelivery(error)) }
            return .success(output.result(completion, context: context))
        case .failure(let error):
            return .failure(error)
        }
    }
}
