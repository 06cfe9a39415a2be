import NIOCore
import NIOPosix
import NeuroLinkProtocol

/// The daemon's socket as a channel of frames: what ``NeuroLinkClient`` talks over, offered to
/// tools that speak raw frames (tests, benchmarks).
public enum FramedChannel {
    /// Connects to the Unix socket at `socketPath`. Inbound bytes are split into frame bodies
    /// (at most `maxFrameBytes` each); outbound buffers are written as they are.
    public static func connect(
        socketPath: String,
        maxFrameBytes: Int
    ) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: socketPath) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes))
                    )
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }
}
