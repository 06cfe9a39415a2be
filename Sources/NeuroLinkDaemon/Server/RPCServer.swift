import CEarlyStop
import Logging
import NIOCore
import NIOPosix
import NeuroLinkBasics
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkSystemd
import ServiceLifecycle

/// An accepted connection, not yet served: the raw channel (reading nothing until it is wrapped)
/// and its peer. It holds no async writer, so a connection accepted just as the listener closes
/// can be dropped without tearing anything down wrongly (swift-nio issue 2813: a wrapped channel
/// dropped unconsumed traps in `NIOAsyncWriter`'s deinit).
struct AcceptedConnection: Sendable {
    var channel: any Channel
    var peer: PeerCredentials?
}

typealias Listener = NIOAsyncChannel<AcceptedConnection, Never>

/// How every accepted connection is read.
struct ConnectionSettings: Sendable {
    var maxFrameBytes: Int
    var frameReadTimeout: TimeAmount

    init(_ server: DaemonConfig.Server) {
        maxFrameBytes = server.maxFrameBytes
        frameReadTimeout = .milliseconds(Int64(server.frameReadTimeoutMs))
    }
}

/// The Unix-socket JSON-RPC server. It binds (or adopts) the socket only once the service group
/// traps SIGTERM, so a stop can never find the socket accepting without a handler in place. On
/// graceful shutdown it stops accepting, lets running requests finish until the drain deadline,
/// ends the rest with `shutting_down` and closes every connection.
struct RPCServer: Service, CustomStringConvertible {
    var description: String { "RPCServer(\(daemon.socketPath))" }
    let daemon: DaemonState
    let open: @Sendable () async throws -> Listening
    let drainTimeout: Duration
    let settings: ConnectionSettings

    /// Binds the socket at `path`, which must not exist (see ``SocketFile/prepare(path:logger:)``).
    static func bind(path: String, group: any EventLoopGroup) async throws -> Listener {
        try await bootstrap(group).bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false) { channel in
            accept(channel)
        }
    }

    /// Serves on an already bound and listening socket (socket activation). The channel owns
    /// `descriptor` from now on and closes it; the socket file is left alone.
    static func adopt(descriptor: NIOBSDSocket.Handle, group: any EventLoopGroup) async throws -> Listener {
        try await bootstrap(group).bind(descriptor, cleanupExistingSocketFile: false) { channel in
            accept(channel)
        }
    }

    private static func bootstrap(_ group: any EventLoopGroup) -> ServerBootstrap {
        // Children read nothing until their connection task wraps them (see ``AcceptedConnection``).
        ServerBootstrap(group: group).serverChannelOption(.backlog, value: 512)
            .childChannelOption(.autoRead, value: false)
    }

    private static func accept(_ channel: any Channel) -> EventLoopFuture<AcceptedConnection> {
        PeerCredentials.read(from: channel).map { AcceptedConnection(channel: channel, peer: $0) }
    }

    func run() async throws {
        // A stop signal that came while the daemon started (before the group trapped it): stop
        // now, cleanly, without ever accepting a connection.
        if Task.isShuttingDownGracefully || nl_early_stop_signal() != 0 {
            daemon.logger.notice("stop requested while starting; exiting")
            return
        }
        let listening = try await open()
        defer { listening.removeSocketFile() }
        daemon.supervision.ready(daemon.statusLine)
        let config = daemon.current.config
        daemon.logger.notice(
            "neurolinkd \(ProtocolInfo.release) listening",
            metadata: [
                "socket": "\(listening.socketPath)", "config": "\(config.sourcePath ?? "environment")",
                "providers": "\(config.providers.map(\.name).joined(separator: ","))",
                "curl": "\(CurlLoop.curlVersion)", "socket_activated": "\(listening.activated)",
                "systemd_notify": "\(daemon.supervision.notifier.isEnabled)",
            ]
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await drainOnGracefulShutdown(listening.listener) }
            try await listening.listener.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask(executorPreference: EventLoopTaskExecutor.of(connection.channel.eventLoop)) {
                        await serve(connection)
                    }
                }
            }
        }
    }

    /// Serves one connection: refused when the kernel did not say who the peer is (never charged
    /// to the daemon's own uid), otherwise wrapped and handed to a ``ConnectionHandler``.
    private func serve(_ connection: AcceptedConnection) async {
        guard let peer = connection.peer else {
            daemon.logger.warning("connection refused: the peer's credentials (SO_PEERCRED) could not be read")
            daemon.security.connectionRefused(uid: nil, reason: "the peer's credentials could not be read")
            connection.channel.close(promise: nil)
            return
        }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        let outbound: ChannelOutbound
        do { (channel, outbound) = try await Self.wrap(connection.channel, settings: settings) } catch {
            connection.channel.close(promise: nil)
            return
        }
        let config = daemon.current.config
        var caller = peer.caller(adminGroup: config.server.adminGroup)
        caller.groups = config.security.policyGroups.filter {
            UserDatabase.shared.isMember(gid: peer.gid, username: caller.username, of: $0)
        }
        await ConnectionHandler(
            daemon: daemon,
            channel: channel,
            outbound: outbound,
            caller: caller,
            closingLimit: settings.frameReadTimeout
        ).run()
    }

    /// Adds the framing, the outbound side and the async channel (for reading) to an accepted
    /// connection, then starts reading.
    ///
    /// Unread input per connection is bounded in bytes: the decoder holds at most one partial
    /// frame (≤ `max_frame_bytes` + 4, and only for `frame_read_timeout_ms`), and the async
    /// channel at most two decoded frames before it stops reading the socket.
    static func wrap(
        _ channel: any Channel,
        settings: ConnectionSettings
    ) async throws -> (NIOAsyncChannel<ByteBuffer, ByteBuffer>, ChannelOutbound) {
        try await channel.eventLoop.submit {
            let decoder = FrameDecoder(maxFrameBytes: settings.maxFrameBytes, readTimeout: settings.frameReadTimeout)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
            let outbound = try ChannelOutbound.install(on: channel)
            let wrapped = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                wrappingChannelSynchronously: channel,
                configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2))
            )
            try channel.syncOptions?.setOption(.autoRead, value: true)
            return (wrapped, outbound)
        }.get()
    }

    private func drainOnGracefulShutdown(_ listener: Listener) async {
        do { try await gracefulShutdown() } catch { return }
        let requests = daemon.requests
        requests.beginDraining()
        let running = requests.count
        daemon.supervision.stopping("draining: \(DaemonState.count(running, "request")) still running")
        daemon.logger.notice(
            "shutting down: no longer accepting connections",
            metadata: [
                "running_requests": "\(running)",
                "drain_timeout_ms": "\(drainTimeout.wholeMilliseconds(rounding: .down))",
            ]
        )
        listener.channel.close(promise: nil)
        if !(await requests.waitUntilIdle(deadline: .now + drainTimeout)) {
            daemon.logger.warning(
                "drain deadline reached: ending running requests",
                metadata: ["running_requests": "\(requests.count)"]
            )
            requests.cancelAll(reason: .shuttingDown)
            // A moment for the cancelled requests to send their final `shutting_down` responses.
            _ = await requests.waitUntilIdle(deadline: .now + .seconds(2))
        }
        daemon.closeAllConnections()
    }
}
