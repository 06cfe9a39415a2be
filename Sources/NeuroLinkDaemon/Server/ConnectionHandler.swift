import Logging
import NIOCore
import NeuroLinkAlerts
import NeuroLinkCore
import NeuroLinkProtocol

/// Serves one client connection: reads frames, answers cheap methods inline and runs every
/// `stream`/`generate` as a child task through the request runner, so one connection carries many
/// concurrent requests. It only decodes and encodes; the runner does the rest.
struct ConnectionHandler {
    let daemon: DaemonState
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    /// Every frame of the connection goes out through it (not `channel`'s outbound writer).
    let outbound: ChannelOutbound
    let caller: Caller
    /// How long what was queued for the client may take to leave once the connection is ending
    /// (`server.frame_read_timeout_ms`).
    let closingLimit: TimeAmount

    func run() async {
        do {
            try daemon.opened(channel.channel, uid: caller.uid ?? 0)
        } catch {
            await refuse(error)
            return
        }
        defer { daemon.closed(channel.channel) }
        let scope = daemon.requests.makeScope()
        try? await channel.executeThenClose { inbound, _ in
            let connection = Connection(
                daemon: daemon,
                caller: caller,
                scope: scope,
                outbound: outbound,
                allocator: channel.channel.allocator
            )
            await withDiscardingTaskGroup { group in
                do {
                    for try await frame in inbound { await connection.handle(frame, group: &group) }
                } catch {
                    await connection.readFailed(error)
                }
                // The client is gone or misbehaved: stop everything it started, upstream included.
                daemon.requests.connectionClosed(scope)
                group.cancelAll()
            }
            // The requests' last frames and an error for the client's own fault are queued by now.
            await channel.channel.sendQueuedThenShutOutput(within: closingLimit)
        }
    }
}

extension ConnectionHandler {
    /// Closes a connection the daemon will not serve; over a cap, the client hears why first.
    private func refuse(_ refusal: DaemonState.Refusal) async {
        try? await channel.executeThenClose { _, outbound in
            guard case .overloaded(let error) = refusal else { return }
            daemon.logger.notice(
                "connection refused",
                metadata: ["peer_uid": "\(caller.uid ?? 0)", "reason": "\(error.message)"]
            )
            daemon.security.connectionRefused(uid: caller.uid, reason: error.message)
            try await outbound.write(Frames.error(id: nil, error, allocator: channel.channel.allocator))
        }
    }
}

/// One connection's side of the protocol: what each method does with a frame.
struct Connection: Sendable {
    let daemon: DaemonState
    let caller: Caller
    let scope: RequestScope
    let outbound: ChannelOutbound
    let allocator: ByteBufferAllocator

    func handle(_ frame: ByteBuffer, group: inout DiscardingTaskGroup) async {
        let request: InboundRequest
        switch InboundRequest.parse(frame) {
        case .failure(let failure):
            await send(Frames.error(id: failure.id, failure.error, allocator: allocator))
            return
        case .success(let parsed):
            request = parsed
        }
        if let denial = daemon.methodRefusal(request.method, caller: caller) {
            await reply(request, Result<HealthResult, RPCError>.failure(denial))
            return
        }
        switch request.method {
        case Method.stream, Method.generate:
            await startStream(request, group: &group)
        case Method.cancel:
            await cancel(request)
        case Method.toolResult:
            await toolResult(request)
        case Method.memoryList, Method.memoryShow, Method.memoryClear:
            handleMemory(request, group: &group)
        case Method.status:
            await reply(request, Result<StatusResult, RPCError>.success(await daemon.status(for: caller)))
        case Method.health:
            await reply(request, Result<HealthResult, RPCError>.success(HealthResult(status: daemon.health)))
        case Method.providersList, Method.modelsList:
            await handleIntrospection(request, group: &group)
        case Method.analyticsReport, Method.analyticsExport:
            handleAnalytics(request, group: &group)
        case Method.cacheStats, Method.cacheClear, Method.cacheInspect:
            handleCache(request, group: &group)
        case Method.auditReport, Method.auditVerify:
            handleAudit(request, group: &group)
        case Method.toolsList, Method.toolsCall:
            handleTools(request, group: &group)
        case Method.top:
            await reply(request, Result<TopSnapshot, RPCError>.success(await daemon.top(for: caller)))
        case Method.alertsList:
            await reply(
                request,
                Result<AlertsListResult, RPCError>.success(AlertsListResult(alerts: daemon.alerts.statuses))
            )
        case Method.metrics:
            await reply(
                request,
                Result<MetricsResult, RPCError>.success(MetricsResult(text: await daemon.metricsText()))
            )
        default:
            let known =
                "stream, generate, cancel, status, health, providers.list, models.list, analytics.report, analytics.export, metrics, alerts.list, top, cache.stats, cache.clear, cache.inspect, audit.report, audit.verify, tools.list, tools.call, tool.result, memory.list, memory.show, memory.clear"
            let error = RPCError(.unknownMethod, "unknown method \"\(request.method)\" (known: \(known))")
            await reply(request, Result<HealthResult, RPCError>.failure(error))
        }
    }

    /// Registers a `stream` or `generate` request and runs it as a child task.
    private func startStream(_ request: InboundRequest, group: inout DiscardingTaskGroup) async {
        guard let id = request.id else {
            let error = RPCError(
                .invalidRequest,
                "\(request.method) needs an id: its chunks and result are addressed by it"
            )
            await send(Frames.error(id: nil, error, allocator: allocator))
            return
        }
        let params: StreamRequest
        let context: RequestContext
        do throws(RPCError) {
            params = try StreamRequest(json: request.params)
            context = try daemon.runner.start(
                id: id,
                method: request.method,
                caller: caller,
                scope: scope,
                userId: params.context?["userId"]?.stringValue
            )
        } catch {
            await send(Frames.error(id: id, error, allocator: allocator))
            return
        }
        let writer = ResponseWriter(
            outbound: outbound,
            requestId: id,
            allocator: allocator,
            streaming: request.method == Method.stream
        )
        group.addTask { [daemon] in
            _ = await daemon.runner.run(params, context: context, sink: writer)
        }
    }

    private func cancel(_ request: InboundRequest) async {
        guard let raw = request.params?["requestId"], let target = RPCID(json: raw) else {
            let error = RPCError(.invalidParams, "params.requestId must be the id of a running request")
            await reply(request, Result<CancelResult, RPCError>.failure(error))
            return
        }
        let cancelled = daemon.requests.cancel(id: target, in: scope)
        await reply(request, Result<CancelResult, RPCError>.success(CancelResult(cancelled: cancelled)))
    }

    /// Hands a client-executed tool's result to the running request of this connection that
    /// waits for it.
    private func toolResult(_ request: InboundRequest) async {
        let result: Result<ToolResultAck, RPCError>
        do throws(RPCError) {
            let params = try ToolResultParams(json: request.params)
            guard let context = daemon.requests.context(id: params.requestId, in: scope) else {
                throw RPCError(.invalidParams, "params.requestId names no running request of this connection")
            }
            result = .success(ToolResultAck(accepted: context.clientTools.deliver(params)))
        } catch {
            result = .failure(error)
        }
        await reply(request, result)
    }

    /// Answers a request unless it is a notification (no id), which gets no response.
    func reply(_ request: InboundRequest, _ result: Result<some Encodable, RPCError>) async {
        guard let id = request.id else { return }
        await send(Frames.reply(id: id, result, allocator: allocator))
    }

    func send(_ frame: ByteBuffer) async {
        try? await outbound.write(frame)
    }

    /// The connection's read side failed: an oversize frame is answered before the connection
    /// closes (the byte stream cannot be resynchronised); anything else just ends it.
    func readFailed(_ error: any Error) async {
        if let timeout = error as? FrameReadTimeoutError {
            daemon.logger.notice(
                "closing connection: a frame did not arrive whole in time",
                metadata: [
                    "timeout_ms": "\(timeout.timeoutMs)", "received_bytes": "\(timeout.receivedBytes)",
                    "peer_uid": "\(caller.uid.map(String.init) ?? "?")",
                ]
            )
            return
        }
        guard let error = error as? FrameTooLargeError else {
            daemon.logger.debug("connection read failed: \(error)")
            return
        }
        daemon.logger.warning(
            "closing connection: frame too large",
            metadata: [
                "announced_bytes": "\(error.announcedBytes)", "peer_uid": "\(caller.uid.map(String.init) ?? "?")",
            ]
        )
        let rpc = RPCError(
            .frameTooLarge,
            "frame of \(error.announcedBytes) bytes exceeds the limit of \(error.maxFrameBytes) bytes; closing the connection",
            data: ErrorData(type: .frameTooLarge, maxFrameBytes: error.maxFrameBytes)
        )
        await send(Frames.error(id: nil, rpc, allocator: allocator))
    }
}
