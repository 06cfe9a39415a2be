import Foundation
import NIOCore
import NeuroLinkClient
import NeuroLinkProtocol
import Synchronization

/// A raw connection to the daemon for tests that need byte-level control: garbage, oversize or
/// unfinished frames, a client that stops reading, an abrupt close. Non-blocking: every read
/// suspends its task (never a thread) and fails after a timeout, so tests can run in parallel.
///
/// Frames are read only when asked for (``readMessage(timeout:)``): a test that stops asking
/// leaves the rest in the socket, as a client that stops reading would.
public final class FrameConnection: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let allocator = ByteBufferAllocator()
    private let reader = FrameReader()

    private init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.outbound = outbound
    }

    /// Connects to the socket at `path`, runs `body`, and closes the connection when it returns.
    public static func with<T: Sendable>(
        path: String,
        maxFrameBytes: Int = 1 << 30,
        _ body: (FrameConnection) async throws -> T
    ) async throws -> T {
        let channel = try await FramedChannel.connect(socketPath: path, maxFrameBytes: maxFrameBytes)
        return try await channel.executeThenClose { inbound, outbound in
            let connection = FrameConnection(outbound: outbound)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await connection.reader.pump(inbound) }
                defer { group.cancelAll() }
                return try await body(connection)
            }
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
    /// skipped).
    public func isClosedByPeer(within timeout: Duration = .seconds(10)) async -> Bool {
        do {
            while try await reader.next(timeout: timeout) != nil {}
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

/// Reads frames from the channel one at a time, only when a reader asks; hands each to the
/// waiting reader, or keeps it for the next one when that reader timed out.
private final class FrameReader: Sendable {
    private struct State {
        var frames: [ByteBuffer] = []
        var finished: (any Error)?? = nil
        var demand: CheckedContinuation<Void, Never>?
        var wantsFrame = false
        var waiter: (id: Int, continuation: CheckedContinuation<ByteBuffer?, any Error>)?
        var nextWaiter = 0
    }

    private let state = Mutex(State())

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

    /// Suspends until a reader wants a frame; `false` when the task is cancelled.
    private func demanded() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.wantsFrame || Task.isCancelled { return true }
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
        let waiter = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
            state.wantsFrame = false
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
    func next(timeout: Duration) async throws -> ByteBuffer? {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await self.take() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw FrameConnectionError("no frame arrived within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    private func take() async throws -> ByteBuffer? {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                typealias Taken = (Result<ByteBuffer?, any Error>?, CheckedContinuation<Void, Never>?)
                let (ready, demand) = state.withLock { state -> Taken in
                    if !state.frames.isEmpty { return (.success(state.frames.removeFirst()), nil) }
                    if let finished = state.finished { return (finished.map { .failure($0) } ?? .success(nil), nil) }
                    state.waiter = (id, continuation)
                    state.wantsFrame = true
                    defer { state.demand = nil }
                    return (nil, state.demand)
                }
                demand?.resume()
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Error>? in
                guard state.waiter?.id == id else { return nil }
                defer { state.waiter = nil }
                return state.waiter?.continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
