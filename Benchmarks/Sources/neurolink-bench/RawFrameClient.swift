import NIOCore
import NIOPosix
import NeuroLinkProtocol

/// A minimal client for the daemon that sends `stream` requests and only counts the frames that
/// come back, without decoding them: it shows what the daemon relays when the client costs ~nothing.
enum RawFrameClient {
    struct Counts: Sendable {
        var chunkFrames = 0
        var responses = 0
        var errors = 0

        mutating func add(_ other: Counts) {
            chunkFrames += other.chunkFrames
            responses += other.responses
            errors += other.errors
        }
    }

    /// Opens one connection, starts `streams` identical streams on it and waits for all their
    /// final responses.
    static func run(socket: String, streams: Int, request: StreamRequest) async throws -> Counts {
        let group = MultiThreadedEventLoopGroup.singleton
        let done = group.next().makePromise(of: Counts.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(CountingHandler(expected: streams, done: done))
                    }
                }
                .connect(unixDomainSocketPath: socket).get()
        } catch {
            done.fail(error)
            throw error
        }
        let allocator = channel.allocator
        var frames = allocator.buffer(capacity: 256 * streams)
        for id in 1...Int64(streams) {
            var frame = try Frames.request(
                id: .number(id),
                method: Method.stream,
                params: request,
                allocator: allocator
            )
            frames.writeBuffer(&frame)
        }
        channel.writeAndFlush(frames, promise: nil)
        return try await withTaskCancellationHandler {
            defer { channel.close(promise: nil) }
            return try await done.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    private final class CountingHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private static let chunkPrefix = Array(#"{"jsonrpc":"2.0","method":"stream.chunk""#.utf8)
        private static let errorMember = Array(#""error":{"#.utf8)

        private let expected: Int
        private let done: EventLoopPromise<Counts>
        private var counts = Counts()
        private var finished = false

        init(expected: Int, done: EventLoopPromise<Counts>) {
            self.expected = expected
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = Self.unwrapInboundIn(data)
            let bytes = frame.readableBytesView
            if bytes.starts(with: Self.chunkPrefix) {
                counts.chunkFrames += 1
                return
            }
            counts.responses += 1
            if bytes.containsBytes(Self.errorMember) { counts.errors += 1 }
            if counts.responses == expected, !finished {
                finished = true
                done.succeed(counts)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            if !finished {
                finished = true
                done.fail(ChannelError.eof)
            }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if !finished {
                finished = true
                done.fail(error)
            }
            context.close(promise: nil)
        }
    }
}
