import Foundation
import MCP
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server on 127.0.0.1 that hands every request on `/mcp` to the session router.
enum HTTPHost {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    static func run(port: Int) async throws {
        let router = SessionRouter()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let announcement = "listening on \(listener.channel.localAddress?.port ?? port)\n"
        FileHandle.standardOutput.write(Data(announcement.utf8))
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { try? await serve(connection, router: router) }
                }
            }
        }
    }

    private static func serve(_ connection: Connection, router: SessionRouter) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let received):
                    head = received
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let head else { continue }
                    let response = await respond(to: head, body: body, router: router)
                    try await write(response, version: head.version, to: outbound)
                }
            }
        }
    }

    private static func respond(to head: HTTPRequestHead, body: ByteBuffer, router: SessionRouter) async -> HTTPResponse
    {
        let path = String(head.uri.split(separator: "?").first ?? "")
        guard path == "/mcp" else { return .error(statusCode: 404, .invalidRequest("Not Found")) }
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name] = headers[name].map { "\($0), \(value)" } ?? value }
        let data = body.readableBytes > 0 ? Data(body.readableBytesView) : nil
        return await router.handle(HTTPRequest(method: head.method.rawValue, headers: headers, body: data, path: path))
    }

    private static func write(
        _ response: HTTPResponse,
        version: HTTPVersion,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var head = HTTPResponseHead(version: version, status: .init(statusCode: response.statusCode))
        for (name, value) in response.headers { head.headers.add(name: name, value: value) }
        if case .stream(let stream, _) = response {
            try await outbound.write(.head(head))
            for try await chunk in stream { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk)))) }
        } else {
            let data = response.bodyData ?? Data()
            head.headers.replaceOrAdd(name: "Content-Length", value: "\(data.count)")
            try await outbound.write(.head(head))
            if !data.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: data)))) }
        }
        try await outbound.write(.end(nil))
    }
}
