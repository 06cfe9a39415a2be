import Logging
import NIOCore
import NIOPosix
import NeuroLinkHTTP
import NeuroLinkProtocol
import ServiceLifecycle

/// An accepted connection, ready to serve.
struct AcceptedConnection: Sendable {
    var channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    var peer: PeerCredentials?
}

typealias Listener = NIOAsyncChannel<AcceptedConnection, Never>

/// The Unix-socket JSON-RPC server. On graceful shutdown it stops accepting, lets running
/// requests finish until the drain deadline, ends the rest with `shutting_down` and closes
/// every connection.
struct RPCServer: Service, CustomStringConvertible {
    var description: String { "RPCServer(\(daemon.socketPath))" }
    let daemon: DaemonState
    let listener: Listener
    let drainTimeout: Duration

    /// Binds the socket at `path`, which must not exist (see ``SocketFile/prepare(path:logger:)``).
    static func bind(path: String, maxFrameBytes: Int, group: any EventLoopGroup) async throws -> Listener {
        try await bootstrap(group).bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false) { channel in
            accept(channel, maxFrameBytes: maxFrameBytes)
        }
    }

    /// Serves on an already bound and listening socket (socket activation). The channel owns
    /// `descriptor` from now on and closes it; the socket file is left alone.
    static func adopt(
        descriptor: NIOBSDSocket.Handle,
        maxFrameBytes: Int,
        group: any EventLoopGroup
    ) async throws -> Listener {
        try await bootstrap(group).bind(descriptor, cleanupExistingSocketFile: false) { channel in
            accept(channel, maxFrameBytes: maxFrameBytes)
        }
    }

    private static func bootstrap(_ group: any EventLoopGroup) -> ServerBootstrap {
        ServerBootstrap(group: group).serverChannelOption(.backlog, value: 512)
    }

    /// Sets up one accepted connection: the same for bound and adopted sockets.
    private static func accept(_ channel: any Channel, maxFrameBytes: Int) -> EventLoopFuture<AcceptedConnection> {
        PeerCredentials.read(from: channel).flatMapThrowing { peer in
            try channel.pipeline.syncOperations.addHandler(
                ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes))
            )
            let wrapped = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            return AcceptedConnection(channel: wrapped, peer: peer)
        }
    }

    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await drainOnGracefulShutdown() }
            try await listener.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask {
                        await ConnectionHandler(daemon: daemon, channel: connection.channel, peer: connection.peer)
                            .run()
                    }
                }
            }
        }
    }

    private func drainOnGracefulShutdown() async {
        do { try await gracefulShutdown() } catch { return }
        daemon.beginDraining()
        let running = daemon.runningRequests
        daemon.supervision.stopping("draining: \(DaemonState.count(running, "request")) still running")
        daemon.logger.notice(
            "shutting down: no longer accepting connections",
            metadata: [
                "running_requests": "\(running)", "drain_timeout_ms": "\(drainTimeout.milliseconds)",
            ]
        )
        listener.channel.close(promise: nil)
        let clock = ContinuousClock()
        let deadline = clock.now + drainTimeout
        while daemon.runningRequests > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if daemon.runningRequests > 0 {
            daemon.logger.warning(
                "drain deadline reached: ending running requests",
                metadata: ["running_requests": "\(daemon.runningRequests)"]
            )
            daemon.cancelAllRequests(reason: .shuttingDown)
            // Give the cancelled requests a moment to send their final `shutting_down` responses.
            let grace = clock.now + .seconds(2)
            while daemon.runningRequests > 0, clock.now < grace {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        daemon.closeAllConnections()
    }
}
