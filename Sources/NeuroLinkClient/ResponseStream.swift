import NIOCore
import NeuroLinkProtocol
import Synchronization

/// The events of one streamed request, as the application consumes them.
///
/// Back-pressure reaches the daemon: at most ``NeuroLinkClient/streamBufferLimit`` events wait
/// for the application; when it stops consuming, the client stops reading its connection, so the
/// daemon pauses the upstream transfer instead of anyone buffering without bound. (Other requests
/// on the same connection wait too: open a connection per independent consumer.)
///
/// Cancelling the consuming task, or dropping the sequence before its end, cancels the request in
/// the daemon, upstream included.
public struct ResponseStream<Element: Sendable>: AsyncSequence, Sendable {
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        Element, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, StreamDemand
    >

    let producer: Producer
    /// Runs on the consuming task before an element is returned (a client-executed tool's handler).
    let onElement: (@Sendable (Element) async throws -> Void)?

    init(producer: Producer, onElement: (@Sendable (Element) async throws -> Void)? = nil) {
        self.producer = producer
        self.onElement = onElement
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator
        let onElement: (@Sendable (Element) async throws -> Void)?

        public mutating func next() async throws -> Element? {
            guard let element = try await base.next() else { return nil }
            if let onElement { try await onElement(element) }
            return element
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: producer.makeAsyncIterator(), onElement: onElement)
    }
}

/// The consumer side's demand for one stream, as the connection's read loop sees it: the loop
/// hands an event over and, when the buffer is full, waits here until the application has
/// consumed enough (or gone).
final class StreamDemand: NIOAsyncSequenceProducerDelegate {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        /// Demand that arrived while nobody waited.
        var pending = false
        var terminated = false
    }

    private let state = Mutex(State())
    private let onTerminate: @Sendable () -> Void

    /// - Parameter onTerminate: called once when the consumer is gone (finished, cancelled or
    ///   dropped), possibly before the stream ended.
    init(onTerminate: @escaping @Sendable () -> Void) {
        self.onTerminate = onTerminate
    }

    func produceMore() {
        let waiter = state.withLock { state in
            defer { state.waiter = nil }
            if state.waiter == nil { state.pending = true }
            return state.waiter
        }
        waiter?.resume()
    }

    func didTerminate() {
        let waiter = state.withLock { state in
            state.terminated = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        onTerminate()
    }

    /// Forgets demand signalled before the buffer filled up.
    func demandMet() {
        state.withLock { $0.pending = false }
    }

    /// Returns once the consumer wants more, or is gone.
    func waitForDemand() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.pending || state.terminated {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
