import Synchronization

/// One in-flight HTTP transfer as its consumer sees it: an ordered sequence of events with
/// bounded buffering. When the consumer falls behind, the transfer is paused at the socket
/// (libcurl stops reading) instead of buffering without limit.
///
/// A transfer has a single consumer. Cancelling the consuming task, or calling ``cancel()``,
/// aborts the HTTP transfer at once.
public final class HTTPTransfer: Sendable {
    struct State {
        var head: ResponseHead?
        var headDelivered = false
        var pieces: [[UInt8]] = []
        var bufferedBytes = 0
        /// Set by the curl thread when it refused data; the consumer asks for a resume when it drains.
        var paused = false
        var completion: Result<Void, TransferError>?
        var waiter: CheckedContinuation<Void, Never>?
    }

    let state = Mutex(State())
    /// Bytes buffered before the transfer is paused.
    let highWaterBytes: Int
    let loop: CurlLoop
    /// Pieces taken from `state` in one go and handed out one by one; touched only by the consumer.
    private let local = Mutex<[[UInt8]]>([])

    init(loop: CurlLoop, highWaterBytes: Int) {
        self.loop = loop
        self.highWaterBytes = highWaterBytes
    }

    /// The next event, or `nil` once the response completed successfully.
    public func next() async throws(TransferError) -> TransferEvent? {
        while true {
            if let piece = local.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                return .body(piece)
            }
            switch takeAvailable() {
            case .event(let event): return event
            case .finished(let result):
                if case .failure(let error) = result { throw error }
                return nil
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let ready = state.withLock { state -> Bool in
                            if !state.pieces.isEmpty || state.completion != nil || (state.head != nil && !state.headDelivered) {
                                return true
                            }
                            state.waiter = continuation
                            return false
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    self.cancel()
                }
            }
        }
    }

    /// The next body piece if one is already buffered, without waiting: lets a consumer handle
    /// everything that arrived together in one pass (one write to its client instead of many).
    public func nextBufferedBody() -> [UInt8]? {
        if let piece = local.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return piece }
        let (piece, resume): ([UInt8]?, Bool) = state.withLock { state in
            guard state.headDelivered, !state.pieces.isEmpty else { return (nil, false) }
            var pieces: [[UInt8]] = []
            swap(&pieces, &state.pieces)
            state.bufferedBytes = 0
            let resume = state.paused
            state.paused = false
            let first = pieces.removeFirst()
            if !pieces.isEmpty { local.withLock { $0 = pieces } }
            return (first, resume)
        }
        if resume { loop.resume(self) }
        return piece
    }

    private enum Available {
        case event(TransferEvent)
        case finished(Result<Void, TransferError>)
        case wait
    }

    private func takeAvailable() -> Available {
        let (available, resume): (Available, Bool) = state.withLock { state in
            if let head = state.head, !state.headDelivered {
                state.headDelivered = true
                return (.event(.head(head)), false)
            }
            if !state.pieces.isEmpty {
                var pieces: [[UInt8]] = []
                swap(&pieces, &state.pieces)
                state.bufferedBytes = 0
                let resume = state.paused
                state.paused = false
                let first = pieces.removeFirst()
                if !pieces.isEmpty { local.withLock { $0 = pieces } }
                return (.event(.body(first)), resume)
            }
            if let completion = state.completion {
                return (.finished(completion), false)
            }
            return (.wait, false)
        }
        if resume { loop.resume(self) }
        return available
    }

    /// Aborts the transfer; a pending or later ``next()`` throws ``TransferError/cancelled``.
    public func cancel() {
        if finish(.failure(.cancelled)) { loop.remove(self) }
    }

    // MARK: - Curl-thread side

    enum Offer { case accepted, pause, abort }

    /// Called on the curl thread with body bytes.
    func offer(_ bytes: UnsafeRawBufferPointer, head: () -> ResponseHead) -> Offer {
        let (offer, waiter) = state.withLock { state -> (Offer, CheckedContinuation<Void, Never>?) in
            if state.completion != nil { return (.abort, nil) }
            if state.head == nil { state.head = head() }
            if state.bufferedBytes > 0 && state.bufferedBytes + bytes.count > highWaterBytes {
                state.paused = true
                return (.pause, nil)
            }
            state.pieces.append(Array(bytes))
            state.bufferedBytes += bytes.count
            let waiter = state.waiter
            state.waiter = nil
            return (.accepted, waiter)
        }
        waiter?.resume()
        return offer
    }

    /// Whether the consumer left the transfer paused; read on the curl thread for idle accounting.
    var isPaused: Bool { state.withLock { $0.paused } }

    /// Ends the transfer with `result` unless it already ended; returns whether this call ended it.
    @discardableResult
    func finish(_ result: Result<Void, TransferError>, head: ResponseHead? = nil) -> Bool {
        let (ended, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.completion == nil else { return (false, nil) }
            if state.head == nil, let head, head.status != 0 { state.head = head }
            state.completion = result
            let waiter = state.waiter
            state.waiter = nil
            return (true, waiter)
        }
        waiter?.resume()
        return ended
    }
}
