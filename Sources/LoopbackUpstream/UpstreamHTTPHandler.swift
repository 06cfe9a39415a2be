import NIOCore
import NIOHTTP1

/// Per-connection handler: collects each request, records it, and runs the script answering it.
///
/// All state is confined to the channel's event loop.
final class UpstreamHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private struct PendingRequest {
        var head: HTTPRequestHead
        var receivedAt: ContinuousClock.Instant
        var body: ByteBuffer
    }

    let state: UpstreamState
    /// The response in progress, if any.
    var job: ResponseJob?
    /// Set once the server decided to close the connection mid-response.
    var closingByServer = false
    private var pending: PendingRequest?

    init(state: UpstreamState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            pending = PendingRequest(
                head: head,
                receivedAt: .now,
                body: context.channel.allocator.buffer(capacity: 0)
            )
            if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(Self.wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(var part):
            pending?.body.writeBuffer(&part)
        case .end:
            guard let request = pending else { return }
            pending = nil
            start(request, context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let job, case .awaitingWritability = job.phase, context.channel.isWritable {
            // Resume on a fresh stack: this event can fire from inside our own flush.
            job.phase = .yielded
            context.eventLoop.assumeIsolated().execute { self.resume(job, context: context) }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let job {
            self.job = nil
            if case .sleeping(let timer) = job.phase {
                timer.cancel()
            }
            if !closingByServer {
                state.markClientClosed(job.recordIndex, at: .now)
            }
        }
        pending = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func start(_ request: PendingRequest, context: ChannelHandlerContext) {
        let body = Array(request.body.readableBytesView)
        let chat = ChatRequestBody(body, path: request.head.uri)
        let record = RecordedRequest(
            method: request.head.method.rawValue,
            path: request.head.uri,
            headers: request.head.headers.map { (name: $0.name, value: $0.value) },
            body: body,
            model: chat?.model,
            receivedAt: request.receivedAt
        )
        let index = state.append(record)
        let script = RequestRouter.script(
            for: request.head,
            chat: chat,
            state: state,
            allocator: context.channel.allocator
        )
        let job = ResponseJob(recordIndex: index, keepAlive: request.head.isKeepAlive, script: script)
        self.job = job
        pump(context: context)
    }
}

/// One response being written on a connection.
final class ResponseJob {
    enum Phase {
        /// Being pumped right now.
        case running
        /// Waiting for a scheduled delay.
        case sleeping(Scheduled<Void>)
        /// Waiting for the channel to become writable again.
        case awaitingWritability
        /// Gave the event loop a turn; resumes from an enqueued task.
        case yielded
        /// Nothing more to write; waits for the connection to close.
        case holding
    }

    let recordIndex: Int
    let keepAlive: Bool
    var script: any ResponseScript
    var phase = Phase.running
    var headWritten = false

    init(recordIndex: Int, keepAlive: Bool, script: any ResponseScript) {
        self.recordIndex = recordIndex
        self.keepAlive = keepAlive
        self.script = script
    }
}
