import Logging
import MCP

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wraps a transport to notice when its message stream ends. The SDK's client does not: once the
/// stream of a `StdioTransport` ends (the server closed its stdout), the client's receive loop
/// restarts on the finished stream without pause and pending requests wait forever. The stream
/// handed to the client here stays open until `disconnect`, and `onEnd` reports the end instead.
actor MonitoredTransport: Transport {
    nonisolated let logger: Logger
    private let inner: any Transport
    private let onEnd: @Sendable (String) -> Void
    private let messages: AsyncThrowingStream<Data, any Error>
    private let sink: AsyncThrowingStream<Data, any Error>.Continuation
    private var forwarding: Task<Void, Never>?

    init(_ inner: any Transport, logger: Logger, onEnd: @escaping @Sendable (String) -> Void) {
        self.inner = inner
        self.logger = logger
        self.onEnd = onEnd
        (messages, sink) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {
        try await inner.connect()
        let stream = await inner.receive()
        let sink = self.sink
        let onEnd = self.onEnd
        forwarding = Task {
            do {
                for try await message in stream { sink.yield(message) }
                if !Task.isCancelled { onEnd("server closed its output") }
            } catch {
                if !Task.isCancelled { onEnd("read failed: \(ShortError.text(error))") }
            }
        }
    }

    func disconnect() async {
        forwarding?.cancel()
        forwarding = nil
        await inner.disconnect()
        sink.finish()
    }

    func send(_ data: Data) async throws {
        try await inner.send(data)
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        messages
    }
}
