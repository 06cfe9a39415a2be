import Logging
import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

extension ConnectionHandler {
    /// `providers.list` and `models.list`. Whatever contacts providers (a check, a listing) runs as a
    /// child task in the connection's group, like `stream`: a slow provider must not hold up the
    /// read loop, and closing the connection cancels it (and its transfers) with everything else.
    func handleIntrospection(
        _ request: InboundRequest,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        allocator: ByteBufferAllocator,
        group: inout DiscardingTaskGroup
    ) async {
        // A notification gets no answer, so there is nothing worth doing for it.
        guard let id = request.id else { return }
        let handler = IntrospectionHandler(daemon: daemon, id: id, outbound: outbound, allocator: allocator)
        do throws(RPCError) {
            if request.method == Method.providersList {
                let params = try ProvidersListRequest(json: request.params)
                if params.check == true {
                    group.addTask { await handler.providers(check: true) }
                } else {
                    await handler.providers(check: false)  // Configuration only: as cheap as `status`.
                }
            } else {
                let params = try ModelsListRequest(json: request.params)
                group.addTask { await handler.models(provider: params.provider) }
            }
        } catch {
            await handler.send(Result<ModelsListResult, RPCError>.failure(error))
        }
    }
}

/// Answers one introspection request on the current configuration generation.
struct IntrospectionHandler: Sendable {
    let daemon: DaemonState
    let id: RPCID
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let allocator: ByteBufferAllocator

    private var introspection: ProviderIntrospection {
        ProviderIntrospection(registry: daemon.current.pipeline.registry, http: daemon.http)
    }

    func providers(check: Bool) async {
        // A drain must not start new upstream traffic; the plain list stays available like `status`.
        if check, daemon.isDraining {
            await send(Result<ProvidersListResult, RPCError>.failure(Self.draining))
            return
        }
        let result = await introspection.providers(check: check)
        if check {
            let failing = result.providers.filter { $0.check?.ok == false }.map(\.name)
            daemon.logger.debug(
                "providers checked",
                metadata: [
                    "request_id": "\(id)", "providers": "\(result.providers.count)", "failing": "\(failing)",
                ]
            )
        }
        await send(Result<ProvidersListResult, RPCError>.success(result))
    }

    func models(provider: String?) async {
        guard !daemon.isDraining else {
            await send(Result<ModelsListResult, RPCError>.failure(Self.draining))
            return
        }
        let result: Result<ModelsListResult, RPCError>
        do throws(RPCError) { result = .success(try await introspection.models(provider: provider)) } catch {
            daemon.logger.info(
                "models.list failed",
                metadata: [
                    "request_id": "\(id)", "provider": "\(provider ?? "all")", "error_type": "\(error.type)",
                    "error": "\(error.message)",
                ]
            )
            result = .failure(error)
        }
        await send(result)
    }

    private static let draining = RPCError(.shuttingDown, "the daemon is shutting down and contacts no provider")

    func send(_ result: Result<some Encodable, RPCError>) async {
        let frame: ByteBuffer
        switch result {
        case .success(let value):
            frame =
                (try? Frames.response(id: id, result: value, allocator: allocator))
                ?? Frames.error(id: id, RPCError(.internal, "could not encode the result"), allocator: allocator)
        case .failure(let error):
            frame = Frames.error(id: id, error, allocator: allocator)
        }
        try? await outbound.write(frame)
    }
}
