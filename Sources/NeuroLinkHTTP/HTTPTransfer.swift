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
        /// Set by the curl thread when the loop must hear about the next drain: it refused data
        /// (the transfer waits for that drain to resume), or the buffer budget is holding streams
        /// back (it needs every drain to keep its total exact).
        var notifyOnDrain = false
        var completion: Result<Void, TransferError>?
        var waiter: CheckedContinuation<Void, Never>?
    }

    let state = Mutex(State())
    let loop: CurlLoop
    /// Pieces taken from `state` in one go and handed out one by one; touched only by the consumer.
    private let local = Mutex<[[UInt8]]>([])

    init(loop: CurlLoop) {
        self.loop = loop
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
                            if !state.pieces.isEmpty || state.completion != nil
                                || (state.head != nil && !state.headDelivered)
                            {
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
        let (piece, notify): ([UInt8]?, Bool) = state.withLock { state in
            guard state.headDelivered, !state.pieces.isEmpty else { return (nil, false) }
            let notify = state.notifyOnDrain
            state.notifyOnDrain = false
            return (drain(&state), notify)
        }
        if notify { loop.drained(self) }
        return piece
    }

    private enum Available {
        case event(TransferEvent)
        case finished(Result<Void, TransferError>)
        case wait
    }

    private func takeAvailable() -> Available {
        let (available, notify): (Available, Bool) = state.withLock { state in
            if let head = state.head, !state.headDelivered {
                state.headDelivered = true
                return (.event(.head(head)), false)
            }
            if !state.pieces.isEmpty {
                let first = drain(&state)
                let notify = state.notifyOnDrain
                state.notifyOnDrain = false
                return (.event(.body(first)), notify)
            }
            if let completion = state.completion {
                return (.finished(completion), false)
            }
            return (.wait, false)
        }
        if notify { loop.drained(self) }
        return available
    }

    /// Takes every buffered piece: returns the first and keeps the rest for the consumer alone.
    /// Called with `state` locked.
    private func drain(_ state: inout State) -> [UInt8] {
        var pieces: [[UInt8]] = []
        swap(&pieces, &state.pieces)
        state.bufferedBytes = 0
        let first = pieces.removeFirst()
        if !pieces.isEmpty { local.withLock { $0 = pieces } }
        return first
    }

    /// Aborts the transfer; a pending or later ``next()`` throws ``TransferError/cancelled``.
    public func cancel() {
        if finish(.failure(.cancelled)) { loop.remove(self) }
    }

    // MARK: - Curl-thread side

    enum Offer { case accepted, pause, abort }

    /// The curl loop's verdict on a piece, given what the transfer holds.
    enum Admission {
        /// Buffer the piece; with `reportDrain`, the consumer's next drain is reported to the loop.
        case accept(reportDrain: Bool)
        case refuse
    }

    /// Called on the curl thread with body bytes. `admit` runs with the state locked and sees the
    /// bytes buffered now (after whatever the consumer drained), so the verdict is never based on
    /// a stale count.
    func offer(
        _ bytes: UnsafeRawBufferPointer,
        head: () -> ResponseHead,
        admit: (_ buffered: Int) -> Admission
    ) -> Offer {
        let (offer, waiter) = state.withLock { state -> (Offer, CheckedContinuation<Void, Never>?) in
            if state.completion != nil { return (.abort, nil) }
            if state.head == nil { state.head = head() }
            guard case .accept(let reportDrain) = admit(state.bufferedBytes) else {
                state.notifyOnDrain = true
                return (.pause, nil)
            }
            if reportDrain { state.notifyOnDrain = true }
            state.pieces.append(Array(bytes))
            state.bufferedBytes += bytes.count
            let waiter = state.waiter
            state.waiter = nil
            return (.accepted, waiter)
        }
        waiter?.resume()
        return offer
    }

    /// Bytes buffered now; read on the curl thread. With `reportDrain`, the consumer's next drain
    /// is reported to the loop when anything is buffered.
    func buffered(reportDrain: Bool) -> Int {
        state.withLock { state in
            if reportDrain, state.bufferedBytes > 0 { state.notifyOnDrain = true }
            return state.bufferedBytes
        }
    }

    /// Ends the transfer with `result` unless it already ended; returns whether this call ended it.
    @discardableResult
    func finish(_ result: Result<Void, TransferError>, head: ResponseHead? = nil) -> Bool {
        let (ended, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.completion == nil else { return (false, nil) }
            if state.head == nil, let head, head.status != 0 { state.head = head }
            if case .failure(.paused) = result {
                // Nobody took these for the whole limit: free them now rather than when the
                // stalled consumer finally reads; it gets the error next.
                state.pieces = []
                state.bufferedBytes = 0
            }
            state.completion = result
            let waiter = state.waiter
            state.waiter = nil
            return (true, waiter)
        }
        waiter?.resume()
        return ended
    }
}
