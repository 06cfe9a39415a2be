import NIOCore
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkMemory
import NeuroLinkProtocol

extension Connection {
    /// `memory.list`, `memory.show` and `memory.clear`: the sessions of the caller's own tenant
    /// (an admin's `memory.list` shows every tenant's). Runs as a child task of the connection.
    func handleMemory(_ request: InboundRequest, group: inout DiscardingTaskGroup) {
        guard let id = request.id else { return }
        let tenant = daemon.runner.resolveTenant(of: caller, userId: nil).tenant.name
        group.addTask { [self] in
            let frame: ByteBuffer
            do {
                guard let store = daemon.memory?.store else {
                    throw RPCError(
                        .memoryUnavailable,
                        "conversation memory is off (memory.enabled) or its database cannot be opened"
                    )
                }
                frame = try await answer(request, id: id, store: store, tenant: tenant)
            } catch let error as RPCError {
                frame = Frames.error(id: id, error, allocator: allocator)
            } catch {
                frame = Frames.error(id: id, RPCError(.internal, "the memory store failed"), allocator: allocator)
            }
            await send(frame)
        }
    }

    private func answer(
        _ request: InboundRequest,
        id: RPCID,
        store: MemoryStore,
        tenant: String
    ) async throws
        -> ByteBuffer
    {
        let now = SessionMemory.nowMs
        switch request.method {
        case Method.memoryList:
            let sessions = try await store.sessions(tenant: caller.isAdmin ? nil : tenant, nowMs: now, limit: 10_000)
            let result = MemoryListResult(sessions: sessions)
            return Frames.reply(id: id, .success(result), allocator: allocator)
        case Method.memoryShow:
            let params = try MemorySessionParams(json: request.params)
            guard let turns = try await store.turns(tenant: tenant, session: params.sessionId, nowMs: now) else {
                throw RPCError(.invalidParams, "no session \(params.sessionId.debugDescription) (memory.list)")
            }
            let messages = turns.map {
                MemoryMessageInfo(role: $0.role, content: $0.content, createdAtMs: $0.createdAtMs)
            }
            let result = MemoryShowResult(sessionId: params.sessionId, messages: messages)
            return Frames.reply(id: id, .success(result), allocator: allocator)
        default:
            let params = try MemorySessionParams(json: request.params)
            let cleared = try await store.clear(tenant: tenant, session: params.sessionId)
            return Frames.reply(id: id, .success(MemoryClearResult(cleared: cleared)), allocator: allocator)
        }
    }
}
