import NIOCore

/// A connection's outbound side, shared by its replies and its streams' chunks (one path, so frames
/// keep the order they were written in).
///
/// A write from the channel's event loop, where every connection task runs
/// (``EventLoopTaskExecutor``), goes straight into the pipeline: `NIOAsyncChannelOutboundWriter`
/// added about a tenth to the instructions of relaying a chunk (its state machine, a cancellation
/// handler per write; docs/benchmarks.md, "Instructions per chunk"). It enters the pipeline next to
/// the socket, through the context of a handler placed first, rather than at the tail: the handlers
/// in between (the framing's and the async channel's) only pass writes on. The writer then
/// waits only while the channel is not writable (more than its high watermark queued, because the
/// client reads slower than the daemon writes), so what each stream has queued stays bounded as
/// before. A write from anywhere else hops to the loop and waits until the frame is written.
struct ChannelOutbound: Sendable {
    let channel: any Channel
    private let waiters: NIOLoopBoundBox<WritabilityWaiters>

    /// Adds the handler that reports writability to `channel`'s pipeline; on the channel's loop.
    static func install(on channel: any Channel) throws -> ChannelOutbound {
        let waiters = NIOLoopBoundBox(WritabilityWaiters(), eventLoop: channel.eventLoop)
        try channel.pipeline.syncOperations.addHandler(WritabilityHandler(waiters: waiters), position: .first)
        return ChannelOutbound(channel: channel, waiters: waiters)
    }

    /// Writes and flushes `frame`; throws once the connection is closed.
    nonisolated(nonsending) func write(_ frame: ByteBuffer) async throws {
        guard channel.eventLoop.inEventLoop else {
            try await channel.writeAndFlush(frame)
            return
        }
        guard channel.isActive, let context = waiters.value.context else { throw ChannelError.ioOnClosedChannel }
        context.writeAndFlush(NIOAny(frame), promise: nil)
        if !channel.isWritable { try await waitUntilWritable() }
    }

    /// On the channel's loop only (no suspension since the caller checked), so the waiter is
    /// registered before any cancellation can look for it: `onCancel` always goes through the loop,
    /// even when it runs at once because the task was already cancelled.
    private nonisolated(nonsending) func waitUntilWritable() async throws {
        try Task.checkCancellation()
        let id = waiters.value.nextID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.value.add(id, continuation, writable: channel.isWritable, active: channel.isActive)
            }
        } onCancel: {
            let waiters = self.waiters
            channel.eventLoop.execute { waiters.value.resume(id, with: .failure(CancellationError())) }
        }
    }
}

/// The writers of one connection waiting for its channel to become writable, and the context they
/// write through; the event loop's only.
struct WritabilityWaiters {
    /// The first handler's context while it is in the pipeline.
    var context: ChannelHandlerContext?
    private var waiting: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var lastID: UInt64 = 0

    mutating func nextID() -> UInt64 {
        lastID &+= 1
        return lastID
    }

    mutating func add(_ id: UInt64, _ continuation: CheckedContinuation<Void, any Error>, writable: Bool, active: Bool)
    {
        if !active {
            continuation.resume(throwing: ChannelError.ioOnClosedChannel)
        } else if writable {
            continuation.resume()
        } else {
            waiting.append((id, continuation))
        }
    }

    /// Resumes one waiter (cancelled); nothing if it has already been resumed.
    mutating func resume(_ id: UInt64, with result: Result<Void, any Error>) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(with: result)
    }

    mutating func resumeAll(with result: Result<Void, any Error>) {
        let resumed = waiting
        waiting.removeAll()
        for waiter in resumed { waiter.continuation.resume(with: result) }
    }
}

/// Wakes a connection's waiting writers when its channel becomes writable again or closes; first in
/// the pipeline, its context is where the writers' frames enter it.
private final class WritabilityHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let waiters: NIOLoopBoundBox<WritabilityWaiters>

    init(waiters: NIOLoopBoundBox<WritabilityWaiters>) {
        self.waiters = waiters
    }

    func handlerAdded(context: ChannelHandlerContext) {
        waiters.value.context = context
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { waiters.value.resumeAll(with: .success(())) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        waiters.value.resumeAll(with: .failure(ChannelError.ioOnClosedChannel))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        waiters.value.context = nil
        waiters.value.resumeAll(with: .failure(ChannelError.ioOnClosedChannel))
    }
}
