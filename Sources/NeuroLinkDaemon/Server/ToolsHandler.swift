import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

extension Connection {
    /// `tools.list` and `tools.call`: the built-in tools of the current configuration. A caller
    /// whose policy turns tools off (`features.tools: false`) gets `forbidden`.
    func handleTools(_ request: InboundRequest, group: inout DiscardingTaskGroup) {
        guard let id = request.id else { return }
        let pipeline = daemon.current
        let resolved = daemon.runner.resolveTenant(of: caller, userId: nil)
        group.addTask { [self] in
            let frame: ByteBuffer
            do throws(RPCError) {
                if let policy = pipeline.config.security.policy(for: resolved), policy.features.tools == false {
                    throw RPCError.forbidden("policy \(policy.name): tools are not allowed", rule: policy.name)
                }
                if request.method == Method.toolsList {
                    frame = Frames.reply(
                        id: id,
                        .success(ToolsListResult(tools: pipeline.tools.list)),
                        allocator: allocator
                    )
                } else {
                    let params = try ToolCallRequest(json: request.params)
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
