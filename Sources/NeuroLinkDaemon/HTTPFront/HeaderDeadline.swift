import NIOCore
import NIOHTTP1

/// `http.header_timeout_ms`: a request's head must arrive whole within that long of its first
/// byte, or the connection is closed. The idle timeout alone would let a client that sends one
/// header byte at a time hold a connection (and its task) for the idle timeout per byte. As in
/// most servers, the clock starts at the first byte, so a keep-alive connection waiting for its
/// next request is governed by the idle timeout only.
///
/// Two handlers on one connection's event loop share this state: ``FirstByte`` before the HTTP
/// decoder sees a request's first bytes, ``HeadSeen`` after it sees the head complete.
final class HeaderDeadline {
    private let timeout: TimeAmount
    private var pending: Scheduled<Void>?
    /// Between a request's `.end` and the next request's head: the next bytes start a head.
    private var awaitingHead = true

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    /// Adds both handlers around the HTTP server pipeline already configured on `channel`.
    static func install(on pipeline: ChannelPipeline.SynchronousOperations, timeout: TimeAmount) throws {
        let deadline = HeaderDeadline(timeout: timeout)
        try pipeline.addHandler(FirstByte(deadline), position: .first)
        try pipeline.addHandler(HeadSeen(deadline))
    }

    private func bytesArrived(_ context: ChannelHandlerContext) {
        guard awaitingHead, pending == nil else { return }
        pending = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }

    private func headArrived() {
        pending?.cancel()
        pending = nil
        awaitingHead = false
    }

    final class FirstByte: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        private let deadline: HeaderDeadline

        init(_ deadline: HeaderDeadline) { self.deadline = deadline }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            deadline.bytesArrived(context)
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            deadline.headArrived()
            context.fireChannelInactive()
        }
    }

    final class HeadSeen: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias InboundOut = HTTPServerRequestPart
        private let deadline: HeaderDeadline

        init(_ deadline: HeaderDeadline) { self.deadline = deadline }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head: deadline.headArrived()
            case .body: break
            case .end: deadline.awaitingHead = true
            }
            context.fireChannelRead(data)
        }
    }
}
