import Logging
import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol
import NeuroLinkProviders

#if canImport(Glibc)
import Glibc
#endif

/// Runs one `stream` or `generate` request through the pipeline and sends its final response.
struct StreamHandler: Sendable {
    let daemon: DaemonState
    let context: RequestContext
    let params: StreamRequest
    let streaming: Bool
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let allocator: ByteBufferAllocator
    let peer: PeerCredentials?

    func run() async {
        var logger = daemon.logger
        logger[metadataKey: "request_id"] = "\(context.id)"
        if let peer {
            // Who sent each request is recorded from the start: tenants, quotas and analytics key on it.
            logger[metadataKey: "peer_uid"] = "\(peer.uid)"
            logger[metadataKey: "peer_gid"] = "\(peer.gid)"
            logger[metadataKey: "peer_pid"] = "\(peer.pid)"
        }
        guard daemon.admit(context) else {
            await send(.failure(RPCError(.shuttingDown, "the daemon is shutting down and accepts no new requests")))
            return
        }
        daemon.stats.requestStarted()
        defer { daemon.finished(context) }

        let pipeline = daemon.current.pipeline
        let prepared: PreparedRequest
        do { prepared = try pipeline.prepare(params) } catch {
            logger.info("request rejected", metadata: ["error_type": "\(error.type)", "error": "\(error.message)"])
            daemon.stats.requestEnded(.failed, chunks: 0, usage: nil)
            await send(.failure(error))
            return
        }
        if prepared.pool.configured {
            logger[metadataKey: "pool"] = "\(prepared.pool.name)"
        } else if let member = prepared.pool.members.first {
            logger[metadataKey: "provider"] = "\(member.entry.config.name)"
            logger[metadataKey: "model"] = "\(member.model)"
        }
        logger.debug("request started", metadata: ["messages": "\(prepared.chat.messages.count)"])
        if logger.logLevel <= .debug { logger.debug("prompt", metadata: ["messages": "\(prepared.chat.messages)"]) }

        let tenant = daemon.admission.tenant(
            uid: peer?.uid ?? getuid(),
            gid: peer?.gid ?? getgid(),
            username: peer.flatMap { PeerCredentials.username(uid: $0.uid) },
            userId: params.context?["userId"]?.stringValue
        )
        logger[metadataKey: "tenant"] = "\(tenant)"
        let result: Result<StreamResult, RPCError>
        if streaming {
            var sink = ChunkWriter(outbound: outbound, requestId: context.id, allocator: allocator)
            result = await pipeline.execute(prepared, context: context, tenant: tenant, sink: &sink)
        } else {
            var sink = DiscardingSink()
            result = await pipeline.execute(prepared, context: context, tenant: tenant, sink: &sink)
        }
        switch result {
        case .success(let answer):
            daemon.stats.requestEnded(.succeeded, chunks: answer.chunks, usage: answer.usage)
            logger.info(
                "request finished",
                metadata: [
                    "provider": "\(answer.provider)", "model": "\(answer.model)",
                    "finish_reason": "\(answer.finishReason)", "chunks": "\(answer.chunks)",
                    "duration_ms": "\(answer.timings.durationMs)",
                    "ttfc_ms": "\(answer.timings.timeToFirstChunkMs ?? -1)",
                ]
            )
        case .failure(let error):
            let outcome: DaemonStats.Outcome = error.type == .cancelled ? .cancelled : .failed
            daemon.stats.requestEnded(outcome, chunks: 0, usage: error.data.usage)
            logger.info("request failed", metadata: ["error_type": "\(error.type)", "error": "\(error.message)"])
        }
        await send(result)
    }

    private func send(_ result: Result<StreamResult, RPCError>) async {
        let frame: ByteBuffer
        switch result {
        case .success(let answer):
            frame =
                (try? Frames.response(id: context.id, result: answer, allocator: allocator))
                ?? Frames.error(
                    id: context.id,
                    RPCError(.internal, "could not encode the result"),
                    allocator: allocator
                )
        case .failure(let error):
            frame = Frames.error(id: context.id, error, allocator: allocator)
        }
        try? await outbound.write(frame)
    }
}
