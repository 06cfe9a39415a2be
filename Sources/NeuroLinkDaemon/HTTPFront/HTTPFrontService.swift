import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol
import ServiceLifecycle
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The OpenAI-compatible HTTP front on `http.listen`, on NIO's HTTP/1.1 pipeline: the same
/// runner and pipeline as the Unix socket, only the framing differs (docs/protocol.md §14).
struct HTTPFrontService: Service, CustomStringConvertible {
    var description: String { "HTTPFront" }
    let settings: DaemonConfig.HTTPFront
    /// Where it listens: a TCP socket systemd passed (`neurolinkd-http.socket`), else `http.listen`.
    let listener: Listener
    let daemon: DaemonState

    enum Listener: CustomStringConvertible {
        case endpoint(DaemonConfig.Endpoint)
        case activated(Int32)

        var description: String {
            switch self {
            case .endpoint(let endpoint): "\(endpoint)"
            case .activated(let descriptor): "socket-activated fd \(descriptor)"
            }
        }
    }

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func run() async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        let server =
            switch listener {
            case .endpoint(let endpoint):
                try await bootstrap.bind(host: endpoint.host, port: endpoint.port, childChannelInitializer: accept)
            case .activated(let descriptor):
                try await bootstrap.bind(
                    descriptor,
                    cleanupExistingSocketFile: false,
                    childChannelInitializer: accept
                )
            }
        daemon.logger.notice("HTTP front listening", metadata: ["listen": "\(listener)"])
        // Shutdown cancels the accept loop: that is how it ends, not a failure of the daemon.
        do {
            try await cancelWhenGracefulShutdown {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await (connection, observer, loopback) in connections {
                            group.addTask(executorPreference: EventLoopTaskExecutor.of(connection.channel.eventLoop)) {
                                await HTTPFrontConnection(
                                    front: self,
                                    observer: observer,
                                    peerIsLoopback: loopback,
                                    scope: daemon.requests.makeScope()
                                ).serve(connection)
                            }
                        }
                    }
                }
            }
        } catch is CancellationError {
            daemon.logger.debug("HTTP front closed")
        }
    }

    /// A new connection's pipeline: HTTP/1.1, the header deadline, the idle timer, the close
    /// observer, the async wrapper.
    @Sendable
    private func accept(_ channel: any Channel) -> EventLoopFuture<(Connection, CloseObserver, Bool)> {
        let idle = TimeAmount.milliseconds(Int64(settings.idleTimeoutMs))
        let header = TimeAmount.milliseconds(Int64(settings.headerTimeoutMs))
        return channel.eventLoop.makeCompletedFuture {
            let observer = CloseObserver()
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try HeaderDeadline.install(on: channel.pipeline.syncOperations, timeout: header)
            try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
            try channel.pipeline.syncOperations.addHandler(observer)
            let loopback = channel.remoteAddress.map(Self.isLoopback) ?? false
            return (try Connection(wrappingChannelSynchronously: channel), observer, loopback)
        }
    }

    private static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4): v4.host.hasPrefix("127.")
        case .v6(let v6): v6.host == "::1" || v6.host.hasPrefix("::ffff:127.")
        default: false
        }
    }
}

/// Tells the request running on a connection that its client went away, at once (the answer may
/// be waiting on a slow provider, with nothing to write that would fail). Closes the connection
/// when it read nothing for `http.idle_timeout_ms` while no request of it runs: a streamed answer
/// reads nothing from its client for as long as it lasts, and must not be cut; nor must the end of
/// the last answer on its way out, which has a limit of its own (`HTTPFrontConnection`).
final class CloseObserver: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    private struct State {
        var running: RequestContext?
        var finishing = false
    }
    private let state = Mutex(State())

    func watch(_ context: RequestContext?) {
        state.withLock { $0.running = context }
    }

    /// The connection only sends what is left of its last answer, then closes.
    func finishing() {
        state.withLock { $0.finishing = true }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read,
            state.withLock({ $0.running == nil && !$0.finishing })
        {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.withLock { $0.running }?.clientGone()
        context.fireChannelInactive()
    }
}
