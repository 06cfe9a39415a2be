import NIOCore
import NIOPosix
import NeuroLinkProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An async client for `neurolinkd` over its Unix socket.
///
/// One connection carries any number of concurrent requests:
///
/// ```swift
/// try await NeuroLinkClient.withConnection { client in
///     for try await chunk in client.stream(StreamRequest(prompt: "Tell me a story")) {
///         if let text = chunk.content { print(text, terminator: "") }
///     }
/// }
/// ```
public final class NeuroLinkClient: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let control: AsyncStream<ByteBuffer>.Continuation
    private let router = ResponseRouter()
    private let nextID = Atomic<Int64>(1)
    private let allocator = ByteBufferAllocator()
    /// The socket this client is connected to.
    public let socketPath: String

    private init(
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        control: AsyncStream<ByteBuffer>.Continuation,
        socketPath: String
    ) {
        self.outbound = outbound
        self.control = control
        self.socketPath = socketPath
    }

    /// Connects, runs `body` with the client, and closes the connection when `body` returns.
    /// Closing the connection cancels every request still running on it, upstream included.
    ///
    /// Before connecting, the socket's directories are checked (``SocketTrust``): a socket another
    /// local user could have placed is refused with ``NeuroLinkClientError/untrustedSocket(socketPath:reason:)``
    /// and nothing is sent.
    ///
    /// - Parameters:
    ///   - socketPath: The daemon's socket; by default resolved like the daemon does
    ///     (`NEUROLINK_SOCKET`, then the per-user or system default).
    ///   - maxFrameBytes: Largest frame accepted from the daemon. The daemon is trusted, so this
    ///     only bounds a runaway answer; it is larger than the daemon's own request limit.
    public static func withConnection<Result: Sendable>(
        socketPath: String? = nil,
        maxFrameBytes: Int = 1 << 30,
        _ body: (NeuroLinkClient) async throws -> Result
    ) async throws -> Result {
        let path = SocketPath.resolve(explicit: socketPath, environment: SocketPath.processEnvironment())
        let target = try trustedTarget(path)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await FramedChannel.connect(socketPath: target, maxFrameBytes: maxFrameBytes)
        } catch {
            throw NeuroLinkClientError.daemonUnreachable(socketPath: path, reason: Self.describe(error))
        }
        return try await channel.executeThenClose { inbound, outbound in
            let (controlFrames, control) = AsyncStream.makeStream(of: ByteBuffer.self)
            let client = NeuroLinkClient(outbound: outbound, control: control, socketPath: path)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await frame in controlFrames { try await outbound.write(frame) }
                }
                group.addTask { await client.readLoop(inbound) }
                defer {
                    control.finish()
                    group.cancelAll()
                }
                return try await body(client)
            }
        }
    }

    /// The resolved path to connect to, once ``SocketTrust`` found that no other user could have put
    /// the socket there; throws before anything is sent otherwise.
    private static func trustedTarget(_ path: String) throws(NeuroLinkClientError) -> String {
        do throws(SocketTrust.Failure) {
            return try SocketTrust().verify(path)
        } catch {
            switch error {
            case .unresolvable(let code):
                throw .daemonUnreachable(socketPath: path, reason: String(cString: strerror(code)))
            case .untrusted(let reason):
                throw .untrustedSocket(socketPath: path, reason: reason)
            }
        }
    }

    private func readLoop(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async {
        do {
            for try await frame in inbound {
                let message: ClientInbound
                do { message = try ClientInbound.parse(frame) } catch {
                    router.failAll(NeuroLinkClientError.protocolViolation("a frame was not a JSON-RPC message"))
                    return
                }
                await router.dispatch(message)
            }
            router.failAll(NeuroLinkClientError.connectionClosed)
        } catch {
            router.failAll(NeuroLinkClientError.connectionClosed)
        }
    }

    private func makeID() -> RPCID {
        .number(nextID.add(1, ordering: .relaxed).oldValue)
    }

    // MARK: - Methods

    /// Events buffered per stream for an application that is slower than the daemon; past it the
    /// client stops reading the connection until the application catches up.
    public static let streamBufferLimit = 64

    /// Streams an answer: every chunk as the provider sends it, then the final ``StreamResult``.
    ///
    /// Cancelling the consuming task, or dropping the sequence, sends `cancel` so the daemon
    /// aborts the upstream request at once. Errors the daemon reports are thrown as ``RPCError``.
    /// See ``ResponseStream`` for back-pressure.
    public func streamEvents(_ request: StreamRequest) -> ResponseStream<StreamEvent> {
        start(request) { $0 }
    }

    /// Streams an answer's chunks, ending after the `finish` chunk; see ``streamEvents(_:)`` for
    /// the final result too.
    public func stream(_ request: StreamRequest) -> ResponseStream<StreamChunk> {
        start(request) { event in
            if case .chunk(let chunk) = event { chunk } else { nil }
        }
    }

    func start<Element: Sendable>(
        _ request: StreamRequest,
        onElement: ((RPCID) -> @Sendable (Element) async throws -> Void)? = nil,
        transform: @escaping @Sendable (StreamEvent) -> Element?
    ) -> ResponseStream<Element> {
        let id = makeID()
        let hook = onElement?(id)
        let demand = StreamDemand { [self] in
            // The application is gone before the response: stop the request in the daemon.
            guard router.remove(id) != nil else { return }
            sendCancel(id)
        }
        let limit = Self.streamBufferLimit
        let made = ResponseStream<Element>.Producer.makeSequence(
            backPressureStrategy: .init(lowWatermark: limit / 4, highWatermark: limit),
            finishOnDeinit: true,
            delegate: demand
        )
        let source = made.source
        let target = ResponseRouter.StreamTarget(
            yield: { event in
                guard let element = transform(event) else { return true }
                return source.yield(element) != .stopProducing
            },
            finish: { error in
                if let error { source.finish(error) } else { source.finish() }
            },
            demand: demand
        )
        guard router.register(id, .stream(target)) else {
            source.finish(NeuroLinkClientError.connectionClosed)
            return ResponseStream(producer: made.sequence, onElement: hook)
        }
        do {
            control.yield(try Frames.request(id: id, method: Method.stream, params: request, allocator: allocator))
        } catch {
            _ = router.remove(id)
            source.finish(error)
        }
        return ResponseStream(producer: made.sequence, onElement: hook)
    }

    /// Generates a whole answer in one response. Cancelling the calling task sends `cancel`, so
    /// the daemon aborts the upstream request, and throws `CancellationError`.
    public func generate(_ request: StreamRequest) async throws -> StreamResult {
        try await call(Method.generate, params: request).decode(as: StreamResult.self)
    }

    /// The daemon's status: version, uptime, providers (never credentials), counters.
    public func status() async throws -> StatusResult {
        try await call(Method.status, params: EmptyParams()).decode(as: StatusResult.self)
    }

    /// Cheap liveness check.
    public func health() async throws -> HealthResult {
        try await call(Method.health, params: EmptyParams()).decode(as: HealthResult.self)
    }

    /// The configured providers (never credentials). With `check`, the daemon also probes each one
    /// with a cheap authenticated request and reports whether it answered, and how fast.
    public func providers(check: Bool = false) async throws -> ProvidersListResult {
        try await call(Method.providersList, params: ProvidersListRequest(check: check)).decode(
            as: ProvidersListResult.self
        )
    }

    /// The models a provider offers (a configured name or alias), or every provider's when `nil`.
    /// A named provider's failure is thrown as ``RPCError``; with `nil`, failures are in `failed`.
    public func models(provider: String? = nil) async throws -> ModelsListResult {
        try await call(Method.modelsList, params: ModelsListRequest(provider: provider)).decode(
            as: ModelsListResult.self
        )
    }

    /// Aggregates of the requests the daemon recorded (your tenant's, or every tenant's for an admin).
    public func analyticsReport(_ request: AnalyticsReportRequest) async throws -> AnalyticsReport {
        try await call(Method.analyticsReport, params: request).decode(as: AnalyticsReport.self)
    }

    /// One page of recorded requests; pass the page's `next` as the following request's `after`.
    public func analyticsExport(_ request: AnalyticsExportRequest) async throws -> AnalyticsExportPage {
        try await call(Method.analyticsExport, params: request).decode(as: AnalyticsExportPage.self)
    }

    /// What the daemon is doing now: running requests, providers, queue, breakers, firing alerts.
    public func top() async throws -> TopSnapshot {
        try await call(Method.top, params: EmptyParams()).decode(as: TopSnapshot.self)
    }

    /// Every alert rule and its state.
    public func alerts() async throws -> [AlertStatus] {
        try await call(Method.alertsList, params: EmptyParams()).decode(as: AlertsListResult.self).alerts
    }

    /// The response cache's figures.
    public func cacheStats() async throws -> CacheStats {
        try await call(Method.cacheStats, params: EmptyParams()).decode(as: CacheStats.self)
    }

    /// Removes cache entries: the caller's own, or (admins) another tenant's, or every tenant's with `"*"`.
    public func cacheClear(_ request: CacheClearRequest = CacheClearRequest()) async throws -> Int {
        try await call(Method.cacheClear, params: request).decode(as: CacheClearResult.self).removed
    }

    /// Security events by tenant and type, top rules and recommendations (root and
    /// `server.admin_group` only; others get `forbidden`).
    public func auditReport(_ request: AuditReportRequest = AuditReportRequest()) async throws -> AuditReport {
        try await call(Method.auditReport, params: request).decode(as: AuditReport.self)
    }

    /// Recomputes the audit log's hash chain and names the first row that does not match
    /// (root and `server.admin_group` only).
    public func auditVerify() async throws -> AuditVerification {
        try await call(Method.auditVerify, params: EmptyParams()).decode(as: AuditVerification.self)
    }

    /// The tools the daemon can run (name, source, description, JSON Schema).
    public func toolsList() async throws -> [ToolInfo] {
        try await call(Method.toolsList, params: EmptyParams()).decode(as: ToolsListResult.self).tools
    }

    /// Runs one tool directly, as a model's call would; a tool's failure is in the result's `error`.
    public func toolsCall(_ request: ToolCallRequest) async throws -> ToolCallResult {
        try await call(Method.toolsCall, params: request).decode(as: ToolCallResult.self)
    }

    /// What a cache entry holds (never its text), by the key a result's `cache.key` gave.
    public func cacheInspect(key: String) async throws -> CacheEntryInfo {
        try await call(Method.cacheInspect, params: CacheInspectRequest(key: key)).decode(as: CacheEntryInfo.self)
    }

    /// The daemon's metrics in the Prometheus text format.
    public func metrics() async throws -> String {
        try await call(Method.metrics, params: EmptyParams()).decode(as: MetricsResult.self).text
    }

    /// The conversation sessions the daemon remembers for the caller's tenant (root: every tenant's).
    public func memoryList() async throws -> [MemorySessionInfo] {
        try await call(Method.memoryList, params: EmptyParams()).decode(as: MemoryListResult.self).sessions
    }

    /// One session's messages, oldest first.
    public func memoryShow(_ sessionId: String) async throws -> MemoryShowResult {
        try await call(Method.memoryShow, params: MemorySessionParams(sessionId: sessionId))
            .decode(as: MemoryShowResult.self)
    }

    /// Forgets one session; `false` when there was none.
    public func memoryClear(_ sessionId: String) async throws -> Bool {
        try await call(Method.memoryClear, params: MemorySessionParams(sessionId: sessionId))
            .decode(as: MemoryClearResult.self).cleared
    }

    /// Cancels a running request by id; `false` when it had already finished.
    public func cancel(_ requestId: RPCID) async throws -> Bool {
        try await call(Method.cancel, params: CancelRequest(requestId: requestId)).decode(as: CancelResult.self)
            .cancelled
    }

    private struct EmptyParams: Encodable {}

    /// Sends one request and waits for its response. Cancelling the calling task ends the wait
    /// with `CancellationError` and sends `cancel`, so the daemon stops a `generate` at once.
    func call(_ method: String, params: some Encodable) async throws -> JSONValue {
        let id = makeID()
        let frame = try Frames.request(id: id, method: method, params: params, allocator: allocator)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard router.register(id, .call(continuation)) else {
                    continuation.resume(throwing: NeuroLinkClientError.connectionClosed)
                    return
                }
                control.yield(frame)
                // Cancelled before the waiter was registered: the handler found nothing to end.
                if Task.isCancelled { abandon(id) }
            }
        } onCancel: {
            abandon(id)
        }
    }

    /// Ends the wait for `id` with `CancellationError` and asks the daemon to stop the request;
    /// does nothing when the response already came (or another caller abandoned it first).
    private func abandon(_ id: RPCID) {
        guard case .call(let continuation)? = router.remove(id) else { return }
        continuation.resume(throwing: CancellationError())
        sendCancel(id)
    }

    /// Asks the daemon to stop request `id`; its answer concerns no waiter and is dropped.
    private func sendCancel(_ id: RPCID) {
        let cancel = try? Frames.request(
            id: makeID(),
            method: Method.cancel,
            params: CancelRequest(requestId: id),
            allocator: allocator
        )
        if let cancel { control.yield(cancel) }
    }

    private static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }
}
