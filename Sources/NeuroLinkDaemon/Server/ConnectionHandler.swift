import Logging
import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

/// Serves one client connection: reads frames, answers cheap methods inline and runs every
/// `stream`/`generate` as a child task, so one connection carries many concurrent requests.
struct ConnectionHandler {
    let daemon: DaemonState
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    let peer: PeerCredentials?

    func run() async {
        daemon.opened(channel.channel)
        defer { daemon.closed(channel.channel) }
        let requests = ConnectionRequests()
        let allocator = channel.channel.allocator
        try? await channel.executeThenClose { inbound, outbound in
            await withDiscardingTaskGroup { group in
                do {
                    for try await frame in inbound {
                        await handle(frame, requests: requests, outbound: outbound, allocator: allocator, group: &group)
                    }
                } catch let error as FrameTooLargeError {
                    daemon.logger.warning(
                        "closing connection: frame too large",
                        metadata: [
                            "announced_bytes": "\(error.announcedBytes)", "peer_uid": "\(peer?.uid.description ?? "?")",
                        ]
                    )
                    let rpc = RPCError(
                        .frameTooLarge,
                        "frame of \(error.announcedBytes) bytes exceeds the limit of \(error.maxFrameBytes) bytes; closing the connection",
                        data: ErrorData(type: .frameTooLarge, maxFrameBytes: error.maxFrameBytes)
                    )
                    try? await outbound.write(Frames.error(id: nil, rpc, allocator: allocator))
                } catch {
                    daemon.logger.debug("connection read failed: \(error)")
                }
                // The client is gone or misbehaved: stop everything it started, upstream included.
                requests.cancelAll()
                group.cancelAll()
            }
        }
    }

    private func handle(
        _ frame: ByteBuffer,
        requests: ConnectionRequests,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        allocator: ByteBufferAllocator,
        group: inout DiscardingTaskGroup
    ) async {
        let request: InboundRequest
        switch InboundRequest.parse(frame) {
        case .failure(let failure):
            try? await outbound.write(Frames.error(id: failure.id, failure.error, allocator: allocator))
            return
        case .success(let parsed):
            request = parsed
        }
        func reply(_ result: Result<some Encodable, RPCError>) async {
            guard let id = request.id else { return }  // A notification gets no response.
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

        switch request.method {
        case Method.stream, Method.generate:
            guard let id = request.id else {
                let error = RPCError(
                    .invalidRequest,
                    "\(request.method) needs an id: its chunks and result are addressed by it"
                )
                try? await outbound.write(Frames.error(id: nil, error, allocator: allocator))
                return
            }
            let params: StreamRequest
            do { params = try StreamRequest(json: request.params) } catch {
                await reply(Result<HealthResult, RPCError>.failure(error))
                return
            }
            let context = RequestContext(id: id)
            guard requests.insert(context) else {
                await reply(
                    Result<HealthResult, RPCError>.failure(
                        RPCError(.duplicateRequestId, "a request with id \(id) is still running on this connection")
                    )
                )
                return
            }
            let run = StreamHandler(
                daemon: daemon,
                context: context,
                params: params,
                streaming: request.method == Method.stream,
                outbound: outbound,
                allocator: allocator,
                peer: peer
            )
            group.addTask {
                await run.run()
                requests.remove(context)
            }
        case Method.cancel:
            guard let raw = request.params?["requestId"], let target = RPCID(json: raw) else {
                await reply(
                    Result<CancelResult, RPCError>.failure(
                        RPCError(.invalidParams, "params.requestId must be the id of a running request")
                    )
                )
                return
            }
            await reply(Result<CancelResult, RPCError>.success(CancelResult(cancelled: requests.cancel(target))))
        case Method.status:
            let status = await daemon.status()
            await reply(Result<StatusResult, RPCError>.success(status))
        case Method.health:
            await reply(
                Result<HealthResult, RPCError>.success(HealthResult(status: daemon.isDraining ? "draining" : "ok"))
            )
        case Method.providersList, Method.modelsList:
            await handleIntrospection(request, outbound: outbound, allocator: allocator, group: &group)
        default:
            await reply(
                Result<HealthResult, RPCError>.failure(
                    RPCError(
                        .unknownMethod,
                        "unknown method \"\(request.method)\" (known: stream, generate, cancel, status, health, providers.list, models.list)"
                    )
                )
            )
        }
    }
}
