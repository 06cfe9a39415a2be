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
        /// Body pieces not yet taken by the consumer; their bytes count in `bufferedBytes` until
        /// they are taken, so the buffer limits bound everything the transfer holds.
        var pieces = PieceQueue()
        var bufferedBytes = 0
        /// Set by the curl thread when the loop must hear about the next drain: it refused data
        /// (the transfer waits for that drain to resume), or the buffer budget is holding streams
        /// back (it needs every drain to keep its total exact).
        var notifyOnDrain = false
        /// `bufferedBytes` when `notifyOnDrain` was set: the consumer reports once it has taken
        /// half of that (or everything), not after every piece, so a paused transfer resumes
        /// with room to spare instead of pausing again at once.
        var notifyBelow = 0
        var completion: Result<Void, TransferError>?
        var waiter: CheckedContinuation<Void, Never>?
    }

    let state = Mutex(State())
    let loop: CurlLoop

    init(loop: CurlLoop) {
        self.loop = loop
    }

    /// The next event, or `nil` once the response completed successfully. On the caller's executor:
    /// no hop to the generic executor and back per event.
    public nonisolated(nonsending) func next() async throws(TransferError) -> TransferEvent? {
        while true {
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
        let (piece, notify): ([UInt8]?, Bool) = state.withLock { state in
            guard state.headDelivered, let piece = Self.take(&state) else { return (nil, false) }
            return (piece, Self.shouldNotify(&state))
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
            if let piece = Self.take(&state) {
                return (.event(.body(piece)), Self.shouldNotify(&state))
            }
            if let completion = state.completion {
                return (.finished(completion), false)
            }
            return (.wait, false)
        }
        if notify { loop.drained(self) }
        return available
    }

    /// Takes the oldest buffered piece and stops counting its bytes. Called with `state` locked;
    /// O(1), one lock per piece as before the bytes stayed counted.
    private static func take(_ state: inout State) -> [UInt8]? {
        guard let piece = state.pieces.popFirst() else { return nil }
        state.bufferedBytes -= piece.count
        return piece
    }

    /// Whether the loop asked to hear about drains and this one is worth reporting: the buffer
    /// is empty, or down to half of what it held when the loop asked. Called with `state` locked.
    private static func shouldNotify(_ state: inout State) -> Bool {
        guard state.notifyOnDrain, state.pieces.isEmpty || state.bufferedBytes <= state.notifyBelow else {
            return false
        }
        state.notifyOnDrain = false
        return true
    }

    /// Whether the transfer has ended (completed, failed or cancelled).
    var isFinished: Bool { state.withLock { $0.completion != nil } }

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
                state.requestDrainNotice()
                return (.pause, nil)
            }
            if reportDrain { state.requestDrainNotice() }
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
            if reportDrain, state.bufferedBytes > 0 { state.requestDrainNotice() }
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
                state.pieces = PieceQueue()
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

extension HTTPTransfer.State {
    /// Asks the consumer to report its next drain that frees at least half of what is held now
    /// (or an earlier request's point, when that comes sooner).
    mutating func requestDrainNotice() {
        notifyBelow = notifyOnDrain ? max(notifyBelow, bufferedBytes / 2) : bufferedBytes / 2
        notifyOnDrain = true
    }
}

/// A FIFO of body pieces with O(1) append and removal: removal advances a head index, and the
/// storage is compacted only once the consumed prefix is at least half of it (amortised O(1)).
struct PieceQueue {
    private var storage: [[UInt8]] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }

    mutating func append(_ piece: [UInt8]) { storage.append(piece) }

    mutating func popFirst() -> [UInt8]? {
        guard head < storage.count else { return nil }
        // Swapped out, so the queue keeps no reference to the bytes it handed over.
        var piece: [UInt8] = []
        swap(&piece, &storage[head])
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return piece
    }
}
