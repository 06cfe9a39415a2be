import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server that speaks the OpenAI Chat Completions wire format byte for
/// byte, with fault injection, for integration tests and benchmarks.
///
/// Endpoints: `POST /v1/chat/completions` and any other `POST` (answered per ``Scenario``);
/// `POST /v1/embeddings` (a fixed embeddings list, unless the model's scenario is not a stream);
/// `GET /v1/models`, `/v1beta/models` and `/api/tags` (model lists). Anything else gets 404 with an
/// OpenAI-style error body. Keep-alive is supported.
///
/// ```swift
/// try await LoopbackUpstream.with { upstream in
///     upstream.register(model: "slow", .stream(OpenAIStream(pieces: ["a", "b"], delay: .milliseconds(50))))
///     // point the gateway at upstream.baseURL ...
/// }
/// ```
public final class LoopbackUpstream: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let state: UpstreamState

    /// The TCP port the server listens on.
    public let port: Int

    /// The OpenAI-style base URL, `http://127.0.0.1:PORT/v1`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, state: UpstreamState, port: Int) {
        self.group = group
        self.channel = channel
        self.state = state
        self.port = port
    }

    /// Starts a server on 127.0.0.1 with an ephemeral port, on its own event loop group.
    ///
    /// - Parameter threads: Event loop threads (at least 1).
    public static func start(threads: Int = 1) async throws -> LoopbackUpstream {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let state = UpstreamState()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                state.connectionsAccepted.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(UpstreamHTTPHandler(state: state))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
            guard let port = channel.localAddress?.port else {
                throw LoopbackUpstreamError.noLocalPort
            }
            return LoopbackUpstream(group: group, channel: channel, state: state, port: port)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Starts a server (see ``start(threads:)``), runs `body` with it, and shuts it down when
    /// `body` returns or throws.
    public static func with<T>(
        threads: Int = 1,
        _ body: (LoopbackUpstream) async throws -> T
    ) async throws -> T {
        let upstream = try await start(threads: threads)
        let result: T
        do {
            result = try await body(upstream)
        } catch {
            try? await upstream.shutdown()
            throw error
        }
        try await upstream.shutdown()
        return result
    }

    /// Serves `scenario` for requests whose JSON body has `"model": model`.
    public func register(model: String, _ scenario: Scenario) {
        state.register(model: model, scenario)
    }

    /// Serves `sequence` to successive requests for `model`, one scenario per request; the last
    /// one keeps being served after that. Use it for faults that clear, e.g. `[.error(503), .stream]`.
    public func register(model: String, sequence: [Scenario]) {
        state.register(model: model, sequence: sequence)
    }

    /// Serves `scenario` for requests whose model has no registered scenario.
    ///
    /// Until called, the default is a three-piece stream (`"Hello from loopback"`).
    public func setDefault(_ scenario: Scenario) {
        state.setDefault(scenario)
    }

    /// Everything received so far, in arrival order.
    public func requests() -> [RecordedRequest] {
        state.requests()
    }

    /// TCP connections accepted so far: how well a client reuses its connections.
    public var connectionsAccepted: Int { state.connectionsAccepted.load(ordering: .relaxed) }

    /// Waits until a request for `model` has been received and its response is over: the client
    /// closed the connection, the server finished, or the server dropped the connection
    /// (``RecordedRequest/isSettled``). Polls every 5 ms.
    ///
    /// - Returns: The most recent such request, or `nil` on timeout or cancellation.
    public func waitForConnectionClose(model: String, timeout: Duration) async -> RecordedRequest? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let request = state.latestSettled(model: model) {
                return request
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Closes the listener and every open connection, then stops the event loop threads.
    /// Calling it again does nothing.
    public func shutdown() async throws {
        guard state.beginShutdown() else { return }
        try? await channel.close()
        try await group.shutdownGracefully()
    }
}

/// Errors thrown by ``LoopbackUpstream/start(threads:)``.
public enum LoopbackUpstreamError: Error {
    /// The bound socket reported no local port.
    case noLocalPort
}
