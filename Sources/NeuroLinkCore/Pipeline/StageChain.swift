import NeuroLinkProtocol

/// Stages run one inside the next: each gets the rest of the chain as its `next`.
struct StageChain: Sendable {
    let stages: [any RequestStage]

    func run(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> StageResult {
        await run(from: 0, &request, &output)
    }

    private func run(
        from index: Int,
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput
    ) async -> StageResult {
        guard index < stages.count else {
            return .failure(RPCError(.internal, "the pipeline ended without an answer"))
        }
        return await stages[index].run(&request, &output) { request, output in
            await run(from: index + 1, &request, &output)
        }
    }
}
