import NeuroLinkProtocol

/// Stages run one inside the next: each gets the rest of the chain as its `next`. A stage with nothing to do
/// for the request is skipped (``RequestStage/takesPart(in:)``), and a ``PreludeStage`` runs before the rest
/// instead of around it: neither keeps a frame while the stream runs.
struct StageChain: Sendable {
    let stages: [any RequestStage]
    /// `stages` as prelude stages where they are one.
    private let preludes: [(any PreludeStage)?]

    init(stages: [any RequestStage]) {
        self.stages = stages
        preludes = stages.map(\.asPrelude)
    }

    func run(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> StageResult {
        await run(from: 0, &request, &output)
    }

    private func run(
        from first: Int,
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput
    ) async -> StageResult {
        var index = first
        // Bit i: stage `first + i` was skipped (the chain is far shorter than 64 stages; beyond, none is).
        var skipped: UInt64 = 0
        var refusal: RPCError?
        while index < stages.count {
            if index - first < 64, !stages[index].takesPart(in: request) {
                skipped |= 1 << UInt64(index - first)
            } else if let prelude = preludes[index] {
                refusal = await prelude.prelude(&request, &output)
                if refusal != nil { break }
            } else {
                break
            }
            index += 1
        }
        let entered = index
        var result: StageResult
        if let refusal {
            result = .failure(refusal)
        } else if entered < stages.count {
            result = await stages[entered].run(&request, &output) { request, output in
                await run(from: entered + 1, &request, &output)
            }
        } else {
            result = .failure(RPCError(.internal, "the pipeline ended without an answer"))
        }
        // The stages skipped on the way in see the result on the way out, innermost first.
        var remaining = skipped
        while remaining != 0 {
            let bit = 63 - remaining.leadingZeroBitCount
            result = stages[first + bit].passBack(result)
            remaining &= ~(1 << UInt64(bit))
        }
        return result
    }
}
