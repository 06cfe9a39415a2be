import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NeuroLinkCore
import ServiceLifecycle

/// Serves `GET /metrics` (the Prometheus text format) on `metrics.listen`, through NIO's HTTP/1.1
/// pipeline. Anything else gets 404 (other paths) or 405 (other methods). Closed on shutdown.
struct MetricsListenerService: Service, CustomStringConvertible {
    var description: String { "MetricsListener" }
    let endpoint: DaemonConfig.Endpoint
    let daemon: DaemonState

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        daemon.logger.info("metrics listener ready", metadata: ["listen": "\(endpoint)", "path": "/metrics"])
        // Shutdown cancels the accept loop: that is how it ends, not a failure of the daemon.
        do {
            try await cancelWhenGracefulShutdown {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { group in
                        for try await connection in connections {
                            group.addTask { await serve(connection) }
                        }
                    }
                }
            }
        } catch is CancellationError {
            daemon.logger.debug("metrics listener closed")
        }
    }

    private func serve(_ connection: Connection) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let request): head = request
                case .body: continue
                case .end:
                    guard let request = head else { continue }
                    try await respond(to: request, outbound)
                    head = nil
                }
            }
        }
    }

    private func respond(
        to request: HTTPRequestHead,
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    )
        async throws
    {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let (status, contentType, body): (HTTPResponseStatus, String, String)
        if path != "/metrics" {
            (status, contentType, body) = (.notFound, "text/plain; charset=utf-8", "not found: try /metrics\n")
        } else if request.method != .GET && request.method != .HEAD {
            (status, contentType, body) = (.methodNotAllowed, "text/plain; charset=utf-8", "use GET\n")
        } else {
            (status, contentType, body) = (.ok, "text/plain; version=0.0.4; charset=utf-8", await daemon.metricsText())
        }
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.utf8.count)")])
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
        if request.method != .HEAD { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body)))) }
        try await outbound.write(.end(nil))
    }
}
