import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

extension Connection {
    /// `tools.list` and `tools.call`: the tools of the current configuration that the caller's
    /// policy allows (`tools: {allow, deny}`). A caller whose policy turns tools off
    /// (`features.tools: false`) gets `forbidden`, as does a call of a tool the policy denies.
    func handleTools(_ request: InboundRequest, group: inout DiscardingTaskGroup) {
        guard let id = request.id else { return }
        let pipeline = daemon.current
        let resolved = daemon.runner.resolveTenant(of: caller, userId: nil)
        group.addTask { [self] in
            let frame: ByteBuffer
            do throws(RPCError) {
                let policy = pipeline.config.security.policy(for: resolved)
                if let policy, policy.features.tools == false {
                    throw RPCError.forbidden("policy \(policy.name): tools are not allowed", rule: policy.name)
                }
                if request.method == Method.toolsList {
                    let tools = pipeline.tools.list.filter { policy?.tools.refusal($0.name) == nil }
                    frame = Frames.reply(id: id, .success(ToolsListResult(tools: tools)), allocator: allocator)
                } else {
                    let params = try ToolCallRequest(json: request.params)
                    if let policy, let rule = policy.tools.refusal(params.name) {
                        throw RPCError.forbidden(
                            "policy \(policy.name): tool \(params.name) is not allowed (\(rule))",
                            rule: policy.name
                        )
                    }
                    guard let result = await pipeline.tools.call(params) else {
                        throw RPCError(.invalidParams, "no tool is called \(params.name.debugDescription) (tools.list)")
                    }
                    frame = Frames.reply(id: id, .success(result), allocator: allocator)
                }
            } catch {
                frame = Frames.error(id: id, error, allocator: allocator)
            }
            await send(frame)
        }
    }
}
