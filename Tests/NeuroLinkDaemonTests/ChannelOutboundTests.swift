import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import NeuroLinkDaemon

#if canImport(Glibc)
import Glibc
#endif

/// `ChannelOutbound` on a real channel: one end of a socket pair whose other end the test reads
/// (or does not), written from a task that runs on the channel's event loop as connection tasks do.
@Suite struct ChannelOutboundTests {
    /// A connected channel with a small high watermark, its outbound side, and the peer's descriptor.
    struct Pair {
        let channel: any Channel
        let outbound: ChannelOutbound
        let peer: Int32

        /// Runs `body` as a task preferring the channel's loop (the fast path).
        func onLoop(_ body: @escaping @Sendable () async throws -> Void) throws -> Task<Void, any Error> {
            let executor = try #require(EventLoopTaskExecutor.of(channel.eventLoop))
            return Task(executorPreference: executor, operation: body)
        }

        /// Reads and discards whatever the peer has been sent so far.
        func drainPeer() {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while recv(peer, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 {}
        }

        func close() {
            channel.close(promise: nil)
            Glibc.close(peer)
        }
    }

    static func pair() async throws -> Pair {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.writeBufferWaterMark, value: .init(low: 4_096, high: 16_384))
            .withConnectedSocket(fds[0]).get()
        let outbound = try await channel.eventLoop.submit { try ChannelOutbound.install(on: channel) }.get()
        return Pair(channel: channel, outbound: outbound, peer: fds[1])
    }

    static let frame = ByteBuffer(repeating: 0x61, count: 32_768)

    /// Counts frames written; returns once a write has waited for 200 ms (the channel is full).
    /// The writer lets the loop run between writes, as a stream does while it waits for the next
    /// piece, and stops at 1,000 frames (32 MiB) should writes never wait.
    static func fill(_ pair: Pair, written: Counter) async throws -> Task<Void, any Error> {
        let writer = try pair.onLoop {
            for _ in 0..<1_000 {
                try await pair.outbound.write(frame)
                written.add()
                await Task.yield()
            }
        }
        var last = -1
        for _ in 0..<25 {
            if written.value == last { return writer }
            last = written.value
            try await Task.sleep(for: .milliseconds(200))
        }
        writer.cancel()
        throw WriterNeverWaited(frames: written.value)
    }

    struct WriterNeverWaited: Error {
        let frames: Int
    }

    @Test func aWriterWaitsWhileTheClientDoesNotReadAndGoesOnWhenItDoes() async throws {
        let pair = try await Self.pair()
        defer { pair.close() }
        let written = Counter()
        let writer = try await Self.fill(pair, written: written)
        defer { writer.cancel() }
        // The kernel's socket buffer (a few hundred KiB), then one frame past the watermark.
        let stalledAt = written.value
        #expect(stalledAt > 0)
        #expect(stalledAt < 100)
        #expect(try await pair.channel.eventLoop.submit { pair.channel.isWritable }.get() == false)
        // What the daemon holds is bounded: the kernel's buffer, then at most one frame past the watermark.
        try await Task.sleep(for: .milliseconds(300))
        #expect(written.value == stalledAt)

        for _ in 0..<50 where written.value <= stalledAt + 2 {
            pair.drainPeer()
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(written.value > stalledAt + 2)
    }

    @Test func aWaitingWriterEndsAtOnceWhenItsTaskIsCancelled() async throws {
        let pair = try await Self.pair()
        defer { pair.close() }
        let writer = try await Self.fill(pair, written: Counter())
        writer.cancel()
        await #expect(throws: CancellationError.self) { try await writer.value }
    }

    @Test func aWaitingWriterEndsWhenTheConnectionCloses() async throws {
        let pair = try await Self.pair()
        let writer = try await Self.fill(pair, written: Counter())
        pair.close()
        await #expect(throws: ChannelError.self) { try await writer.value }
    }

    @Test func writesFromOffTheLoopArriveInOrder() async throws {
        let pair = try await Self.pair()
        defer { pair.close() }
        for byte in UInt8(0)..<10 { try await pair.outbound.write(ByteBuffer(bytes: [byte])) }
        var received: [UInt8] = []
        for _ in 0..<100 where received.count < 10 {
            var buffer = [UInt8](repeating: 0, count: 16)
            let count = recv(pair.peer, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { received += buffer[..<count] } else { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(received == Array(0..<10))
    }

    @Test func aWriteToAClosedConnectionThrows() async throws {
        let pair = try await Self.pair()
        pair.close()
        try await pair.channel.closeFuture.get()
        let writer = try pair.onLoop { try await pair.outbound.write(Self.frame) }
        await #expect(throws: ChannelError.self) { try await writer.value }
    }
}

/// A count shared between a writer task and the test.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}
