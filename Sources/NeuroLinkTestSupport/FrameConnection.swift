import Foundation
import NIOCore
import NeuroLinkClient
import NeuroLinkProtocol
import Synchronization

/// A raw connection to the daemon for tests that need byte-level control: garbage, oversize or
/// unfinished frames, a client that stops reading, an abrupt close. Non-blocking: every read
/// suspends its task (never a thread) and fails after a timeout, so tests can run in parallel.
///
/// Frames are read only a few ahead of ``readMessage(timeout:)``: a test that stops asking leaves
/// the rest in the socket, as a client that stops reading would.
public final class FrameConnection: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let allocator = ByteBufferAllocator()
    private let reader: FrameReader

    private init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, eventLoop: any EventLoop) {
        self.outbound = outbound
        reader = FrameReader(timers: eventLoop)
    }

    /// Connects to the socket at `path`, runs `body`, and closes the connection when it returns.
    public static func with<T: Sendable>(
        path: String,
        maxFrameBytes: Int = 1 << 30,
        _ body: (FrameConnection) async throws -> T
    ) async throws -> T {
        let channel = try await FramedChannel.connect(socketPath: path, maxFrameBytes: maxFrameBytes)
        return try await channel.executeThenClose { inbound, outbound in
            let connection = FrameConnection(outbound: outbound, eventLoop: channel.channel.eventLoop)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await connection.reader.pump(inbound) }
                defer { group.cancelAll() }
                return try await body(connection)
            }
        }
    }

    /// Opens `count` connections to the socket at `path`, runs `body` with them, and closes them
    /// all when it returns.
    public static func with<T: Sendable>(
        path: String,
        count: Int,
        maxFrameBytes: Int = 1 << 30,
        _ body: ([FrameConnection]) async throws -> T
    ) async throws -> T {
        try await with(path: path, count: count, maxFrameBytes: maxFrameBytes, opened: [], body)
    }

    private static func with<T: Sendable>(
        path: String,
        count: Int,
        maxFrameBytes: Int,
        opened: [FrameConnection],
        _ body: ([FrameConnection]) async throws -> T
    ) async throws -> T {
        guard opened.count < count else { return try await body(opened) }
        return try await with(path: path, maxFrameBytes: maxFrameBytes) { connection in
            try await with(path: path, count: count, maxFrameBytes: maxFrameBytes, opened: opened + [connection], body)
        }
    }

    /// Sends bytes as they are (no framing).
    public func sendRaw(_ bytes: [UInt8]) async throws {
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try await outbound.write(buffer)
    }

    /// Sends one frame holding `json`.
    public func send(_ json: String) async throws {
        var buffer = allocator.buffer(capacity: json.utf8.count + 4)
        buffer.writeFrame { $0.writeString(json) }
        try await outbound.write(buffer)
    }

    /// The next frame as a JSON object, or `nil` once the daemon closed the connection. Throws
    /// when nothing arrives within `timeout`.
    public func readMessage(timeout: Duration = .seconds(10)) async throws -> [String: Any]? {
        guard let frame = try await reader.next(timeout: timeout) else { return nil }
        let object = try JSONSerialization.jsonObject(with: Data(frame.readableBytesView))
        guard let message = object as? [String: Any] else {
            throw FrameConnectionError("a frame was not a JSON object")
        }
        return message
    }

    /// Reads until the response to `id` arrives; returns it and the chunks before it.
    public func readUntilResponse(
        id: Int,
        timeout: Duration = .seconds(10)
    ) async throws -> (response: [String: Any], chunks: [[String: Any]]) {
        var chunks: [[String: Any]] = []
        while let message = try await readMessage(timeout: timeout) {
            if message["method"] as? String == Method.streamChunk, let params = message["params"] as? [String: Any] {
                chunks.append(params)
            } else if (message["id"] as? Int) == id {
                return (message, chunks)
            }
        }
        throw FrameConnectionError("the connection closed before the response to \(id)")
    }

    /// Whether the daemon closes the connection within `timeout` (frames before the close are
    /// skipped). A reset counts: the kernel resets instead of ending the stream when the daemon
    /// closes with bytes of ours it never read (a frame sent just before a refusal).
    public func isClosedByPeer(within timeout: Duration = .seconds(10)) async -> Bool {
        do {
            while try await reader.next(timeout: timeout) != nil {}
            return true
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            return true
        } catch {
            return false
        }
    }
}

/// Why a ``FrameConnection`` operation failed.
public struct FrameConnectionError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads frames from the channel for one reader: at most ``readAhead`` frames ahead of it, so a
/// reader that stops asking leaves the rest in the socket. Hands each frame to the waiting reader,
/// or keeps it for the next call when nobody waits (or the wait timed out).
///
/// One reader at a time: a second concurrent ``next(timeout:)`` would replace the first's wait.
private final class FrameReader: Sendable {
    /// Frames read before anyone asks: enough that a reader going through a long stream rarely
    /// waits (no timer, no suspension), few enough to be nothing next to a socket buffer.
    static let readAhead = 16

    private typealias Waiter = CheckedContinuation<ByteBuffer?, any Error>
    private typealias Demand = CheckedContinuation<Void, Never>

    private struct State {
        var frames: [ByteBuffer] = []
        var finished: (any Error)?? = nil
        var demand: Demand?
        var waiter: (id: Int, continuation: Waiter)?
        var nextWaiter = 0

        var wantsFrames: Bool { waiter != nil || frames.count < FrameReader.readAhead }

        /// The pump's pending demand, if it should read now.
        mutating func resumableDemand() -> Demand? {
            guard wantsFrames, let demand else { return nil }
            self.demand = nil
            return demand
        }

        /// A buffered frame, or the end, if there is one.
        mutating func ready() -> Result<ByteBuffer?, any Error>? {
            if !frames.isEmpty { return .success(frames.removeFirst()) }
            if let finished { return finished.map { .failure($0) } ?? .success(nil) }
            return nil
        }
    }

    private let state = Mutex(State())
    /// Where read timeouts are scheduled: a timer there costs far less than a task per read.
    private let timers: any EventLoop

    init(timers: any EventLoop) {
        self.timers = timers
    }

    /// Runs for the connection's lifetime: waits for demand, reads one frame, delivers it.
    func pump(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async {
        var frames = inbound.makeAsyncIterator()
        while await demanded() {
            do {
                guard let frame = try await frames.next() else { return finish(nil) }
                deliver(frame)
            } catch {
                return finish(error)
            }
        }
    }

    /// Suspends until frames are wanted; `false` when the task is cancelled.
    private func demanded() async -> Bool {
        // Without suspending while frames are wanted anyway: the common case in a long stream.
        if state.withLock({ $0.wantsFrames }) { return !Task.isCancelled }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.wantsFrames || Task.isCancelled { return true }
                    state.demand = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let demand = state.withLock { state in
                defer { state.demand = nil }
                return state.demand
            }
            demand?.resume()
        }
        return !Task.isCancelled
    }

    private func deliver(_ frame: ByteBuffer) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiter else {
                state.frames.append(frame)
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: frame)
    }

    private func finish(_ error: (any Error)?) {
        let waiter = state.withLock { state in
            state.finished = .some(error)
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// The next frame, `nil` at the end of the connection; throws after `timeout`.
    ///
    /// The timeout withdraws the wait rather than cancelling it: a frame delivered at the same
    /// moment is returned, never dropped.
    func next(timeout: Duration) async throws -> ByteBuffer? {
        let (ready, demand) = state.withLock { state in (state.ready(), state.resumableDemand()) }
        demand?.resume()
        if let ready { return try ready.get() }
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        let timer = timers.scheduleTask(in: TimeAmount(timeout)) {
            self.withdraw(id, FrameConnectionError("no frame arrived within \(timeout)"))
        }
        // Cancelling a timer that fired, or withdrawing a wait that ended, does nothing.
        defer { timer.cancel() }
        return try await take(id)
    }

    private func take(_ id: Int) async throws -> ByteBuffer? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let (ready, demand) = state.withLock { state in
                    register(id, continuation, in: &state)
                }
                demand?.resume()
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            withdraw(id, CancellationError())
        }
    }

    /// A frame or the end if one is at hand; otherwise records the waiter. Either way returns the
    /// pump's demand when it should read now.
    private func register(
        _ id: Int,
        _ continuation: Waiter,
        in state: inout State
    ) -> (Result<ByteBuffer?, any Error>?, Demand?) {
        if let ready = state.ready() { return (ready, state.resumableDemand()) }
        // Checked under the lock: a cancellation handler that ran before the waiter was recorded
        // found nothing to withdraw, so the wait must not begin.
        if Task.isCancelled { return (.failure(CancellationError()), nil) }
        state.waiter = (id, continuation)
        return (nil, state.resumableDemand())
    }

    /// Ends wait `id` with `error` if it is still waiting.
    private func withdraw(_ id: Int, _ error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.waiter?.id == id else { return nil }
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(throwing: error)
    }
}
