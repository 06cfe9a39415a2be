import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A minimal HTTP/1.1 server on 127.0.0.1 answering each request from a handler, one request per
/// connection: the OAuth token endpoint of the Vertex tests and Bedrock's control plane, which
/// need to check what they receive before answering (the loopback upstream only replays scripts).
final class TestHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        var body: String
    }

    typealias Handler = @Sendable (Request) -> Response

    let port: Int
    private let channel: any Channel
    private let log: RequestLog

    /// Every request so far, in arrival order.
    var requests: [Request] { log.requests }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Binds synchronously, so shared servers can be created from static initializers.
    init(handler: @escaping Handler) throws {
        let log = RequestLog()
        self.log = log
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(OneShotHTTPHandler(handler: handler, log: log))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        guard let port = channel.localAddress?.port else {
            throw DaemonProcessError(message: "test server has no port")
        }
        self.port = port
    }

    func shutdown() {
        channel.close(promise: nil)
    }
}

/// The requests a server received, appended from its event loop.
private final class RequestLog: Sendable {
    private let list = Mutex<[TestHTTPServer.Request]>([])
    var requests: [TestHTTPServer.Request] { list.withLock { $0 } }
    func append(_ request: TestHTTPServer.Request) { list.withLock { $0.append(request) } }
}

/// Reads one request (head, then `Content-Length` bytes of body), answers it and closes.
private final class OneShotHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let handler: TestHTTPServer.Handler
    private let log: RequestLog
    private var buffer: [UInt8] = []
    private var answered = false

    init(handler: @escaping TestHTTPServer.Handler, log: RequestLog) {
        self.handler = handler
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffer += Array(Self.unwrapInboundIn(data).readableBytesView)
        guard !answered, let request = parse() else { return }
        answered = true
        log.append(request)
        let response = handler(request)
        let body = Array(response.body.utf8)
        var head = "HTTP/1.1 \(response.status) Test\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        let channel = context.channel
        context.writeAndFlush(Self.wrapOutboundOut(channel.allocator.buffer(bytes: bytes))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The request, once its head and whole body have arrived.
    private func parse() -> TestHTTPServer.Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, buffer.count - 3)).first(where: { Array(buffer[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count >= 2 else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        guard buffer.count >= end + 4 + length else { return nil }
        return TestHTTPServer.Request(
            method: String(requestLine[0]),
            path: String(requestLine[1]),
            headers: headers,
            body: Array(buffer[(end + 4)..<(end + 4 + length)])
        )
    }
}
