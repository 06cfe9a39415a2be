import CCurl
import Foundation
import Logging
import NeuroLinkBasics
import Synchronization

/// The daemon's single outbound HTTP engine: one libcurl multi handle driven by one dedicated
/// thread, shared by every transfer (connection reuse, HTTP/2 multiplexing where offered).
///
/// Other threads talk to the loop only through its inbox (`add`, `remove`, `drained`, `stop`, ...)
/// followed by `curl_multi_wakeup`, which is thread-safe; the multi handle, every easy handle
/// and every ``EasyContext`` are touched by the loop thread alone.
public final class CurlLoop: Sendable {
    enum Command {
        case add(EasyContext)
        case remove(ObjectIdentifier)
        /// The consumer drained a transfer whose drains the loop asked to hear about.
        case drained(ObjectIdentifier)
        case ping(CheckedContinuation<Bool, Never>)
        case snapshot(CheckedContinuation<StreamBufferSnapshot, Never>)
        case stop
    }

    struct Inbox {
        var commands: [Command] = []
        var accepting = false
        var stopped = false
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let inbox = Mutex(Inbox())
    nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    /// Touched by the loop thread only (see ``LoopState``).
    nonisolated(unsafe) let loopState: LoopState
    /// Bytes a transfer may buffer for a slow consumer before it is paused.
    public let highWaterBytes: Int
    /// Bytes all transfers together may buffer for slow consumers; past it, the heaviest are paused.
    public let memoryBudgetBytes: Int
    /// Longest a transfer may stay paused before it ends with ``TransferError/paused(limit:)``;
    /// `nil`: without limit.
    public let maxPaused: Duration?

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Creates the engine; call ``start()`` before starting transfers.
    ///
    /// - Parameters:
    ///   - highWaterBytes: per-transfer buffer for a slow consumer; when full, the transfer pauses.
    ///   - memoryBudgetBytes: daemon-wide bound on those buffers together; when a piece would exceed
    ///     it, the transfers holding the most are paused first, and all resume once the total is
    ///     back under 90 % of it. A piece going into an empty buffer is always accepted, so the
    ///     total can exceed the budget by at most one piece (≤ 16 KiB) per transfer.
    ///   - maxPaused: a transfer paused (by either bound) for longer is ended with
    ///     ``TransferError/paused(limit:)``; `nil` disables the limit.
    ///   - logger: receives a line when the budget starts and stops holding transfers back.
    public init(
        highWaterBytes: Int = 256 * 1024,
        memoryBudgetBytes: Int = 64 << 20,
        maxPaused: Duration? = .seconds(120),
        logger: Logger? = nil
    ) throws {
        guard Self.globalInit, let multi = curl_multi_init() else { throw TransferError.shutdown }
        self.multi = multi
        self.highWaterBytes = highWaterBytes
        self.memoryBudgetBytes = memoryBudgetBytes
        self.maxPaused = maxPaused
        loopState = LoopState(
            budgetBytes: memoryBudgetBytes,
            streamBytes: highWaterBytes,
            maxPaused: maxPaused,
            logger: logger
        )
    }

    /// libcurl's version string, e.g. for `status`.
    public static var curlVersion: String { String(cString: curl_version()) }

    /// Starts the loop thread.
    public func start() {
        let alreadyRunning = inbox.withLock { inbox -> Bool in
            defer { inbox.accepting = true }
            return inbox.accepting || inbox.stopped
        }
        guard !alreadyRunning else { return }
        let thread = Thread { [self] in runLoop() }
        thread.name = "neurolink-curl"
        thread.start()
    }

    /// Stops the loop: every unfinished transfer ends with ``TransferError/shutdown``. Returns once the
    /// thread has cleaned up.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            let (wake, alreadyStopped) = inbox.withLock { inbox -> (Bool, Bool) in
                if inbox.stopped { return (false, true) }
                inbox.stopWaiters.append(continuation)
                let wake = inbox.accepting
                inbox.accepting = false
                inbox.commands.append(.stop)
                return (wake, false)
            }
            if alreadyStopped {
                continuation.resume()
            } else if wake {
                curl_multi_wakeup(multi)
            } else {
                // Never started: nothing will drain the inbox.
                finishStop()
            }
        }
    }

    /// Starts a transfer. Events arrive through the returned ``HTTPTransfer``.
    public func start(_ request: HTTPRequest) throws(TransferError) -> HTTPTransfer {
        let transfer = HTTPTransfer(loop: self)
        let context = EasyContext(transfer: transfer, request: request)
        guard send(.add(context)) else { throw .shutdown }
        return transfer
    }

    /// Answers once the loop thread has gone round once: proof that it is not wedged.
    public func ping() async -> Bool {
        await withCheckedContinuation { continuation in
            if !send(.ping(continuation)) { continuation.resume(returning: false) }
        }
    }

    /// What transfers buffer for slow consumers now, against the budget; read on the loop thread,
    /// so it costs one round of the loop. A stopped engine answers with zeros.
    public func bufferSnapshot() async -> StreamBufferSnapshot {
        await withCheckedContinuation { continuation in
            if !send(.snapshot(continuation)) {
                continuation.resume(returning: StreamBufferSnapshot(budgetBytes: memoryBudgetBytes))
            }
        }
    }

    func remove(_ transfer: HTTPTransfer) { _ = send(.remove(ObjectIdentifier(transfer))) }
    func drained(_ transfer: HTTPTransfer) { _ = send(.drained(ObjectIdentifier(transfer))) }

    private func send(_ command: Command) -> Bool {
        let accepted = inbox.withLock { inbox -> Bool in
            guard inbox.accepting else { return false }
            inbox.commands.append(command)
            return true
        }
        // The multi handle lives until the loop thread exits, which cannot happen while `accepting`
        // was true above and this command is still queued.
        if accepted { curl_multi_wakeup(multi) }
        return accepted
    }

    private func finishStop() {
        let waiters = inbox.withLock { inbox -> [CheckedContinuation<Void, Never>] in
            inbox.stopped = true
            defer { inbox.stopWaiters = [] }
            return inbox.stopWaiters
        }
        waiters.forEach { $0.resume() }
    }

    // MARK: - Loop thread

    private func runLoop() {
        let state = loopState
        var stopping = false
        while !stopping {
            let commands = inbox.withLock { inbox -> [Command] in
                var taken: [Command] = []
                swap(&taken, &inbox.commands)
                return taken
            }
            for command in commands {
                switch command {
                case .add(let context):
                    if let error = configure(context) {
                        context.transfer.finish(.failure(error))
                    } else {
                        state.active[ObjectIdentifier(context.transfer)] = context
                        state.schedule(context)
                    }
                case .remove(let id):
                    if let context = state.active.removeValue(forKey: id) { release(context) }
                case .drained(let id):
                    state.drained(id)
                case .ping(let continuation):
                    continuation.resume(returning: true)
                case .snapshot(let continuation):
                    continuation.resume(returning: state.snapshot())
                case .stop:
                    stopping = true
                }
            }
            if stopping { break }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished()

            let now = ContinuousClock.now
            if let due = state.nextScan, now >= due { state.nextScan = enforceDeadlines(now: now) }
            // Drains and ended transfers may have taken the total under the resume line.
            state.releaseHeldBack()
            let untilScan =
                state.nextScan.map {
                    max(1, min(1000, ($0 - now).wholeMilliseconds(rounding: .down).addingSaturating(1)))
                } ?? 1000
            curl_multi_poll(multi, nil, 0, Int32(untilScan), nil)
        }
        for context in state.active.values {
            context.transfer.finish(.failure(.shutdown))
            release(context)
        }
        state.active = [:]
        // Drain commands that raced with the stop so no continuation is left hanging.
        let leftovers = inbox.withLock { inbox -> [Command] in
            defer { inbox.commands = [] }
            return inbox.commands
        }
        for command in leftovers {
            switch command {
            case .ping(let continuation): continuation.resume(returning: false)
            case .snapshot(let continuation):
                continuation.resume(returning: StreamBufferSnapshot(budgetBytes: memoryBudgetBytes))
            case .add(let context): context.transfer.finish(.failure(.shutdown))
            case .remove, .drained, .stop: break
            }
        }
        curl_multi_cleanup(multi)
        finishStop()
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            var raw: UnsafeMutableRawPointer?
            guard nl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &raw) == CURLE_OK, let raw else { continue }
            let context = Unmanaged<EasyContext>.fromOpaque(raw).takeUnretainedValue()
            let code = nl_msg_result(message)
            let result: Result<Void, TransferError> = code == CURLE_OK ? .success(()) : .failure(error(code, context))
            context.transfer.finish(result, head: context.head)
            loopState.active.removeValue(forKey: ObjectIdentifier(context.transfer))
            release(context)
        }
    }

    /// Ends transfers whose deadline passed; returns when the next scan is due.
    private func enforceDeadlines(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let state = loopState
        var expired: [(ObjectIdentifier, TransferError)] = []
        var next: ContinuousClock.Instant?
        for (id, context) in state.active {
            if let error = context.expired(at: now, maxPaused: state.maxPaused) {
                expired.append((id, error))
            } else if let deadline = context.earliestDeadline(maxPaused: state.maxPaused) {
                let due = max(deadline, now)
                next = min(next ?? due, due)
            }
        }
        for (id, error) in expired {
            guard let context = state.active.removeValue(forKey: id) else { continue }
            if case .paused = error { state.countPausedTimeout() }
            context.transfer.finish(.failure(error), head: nil)
            release(context)
        }
        return next
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, saturating at `Int64`'s bounds. Kept for existing callers;
    /// new code uses NeuroLinkBasics' `wholeMilliseconds(rounding:)`, which it wraps.
    public var milliseconds: Int64 { Int64(wholeMilliseconds(rounding: .down)) }
}
