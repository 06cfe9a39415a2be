import CCurl
import Foundation
import Logging
import NeuroLinkBasics
import Synchronization

/// The daemon's single outbound HTTP engine: one libcurl multi handle driven by one dedicated
/// thread, shared by every transfer (connection reuse, HTTP/2 multiplexing where offered).
///
/// The thread waits on an epoll set for libcurl's sockets and timer (`curl_multi_socket_action`) and for
/// its inbox. The multi handle, every easy handle, every ``EasyContext`` and the ``LoopState`` are touched
/// only by the holder of the `engine` lock: the loop thread while it works (never while it waits), or a
/// thread that starts, cancels or drains a transfer while the loop sleeps. That thread then does the work
/// itself (a new request is on the wire before `start` returns) instead of waking the loop, a thread
/// hand-off saved on every request. When the lock is busy, the command goes to the inbox and the loop
/// carries it out on its next round, woken through an eventfd if it sleeps.
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
        /// The loop thread is in (or about to enter) its wait with nothing queued: the next command wakes it.
        var sleeping = false
    }

    let inbox = Mutex(Inbox())
    /// Whoever drives libcurl holds it; `true` while the loop thread runs and the multi handle is usable.
    let engine = Mutex(false)
    /// How many times another thread had to wake the sleeping loop (tests read it).
    let wakeUps = Atomic(0)
    nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    let descriptors: LoopDescriptors
    /// Touched only with `engine` held (see ``LoopState``).
    nonisolated(unsafe) let loopState: LoopState
    /// Bytes a transfer may buffer for a slow consumer before it is paused.
    public let highWaterBytes: Int
    /// Bytes all transfers together may buffer for slow consumers; past it, the heaviest are paused.
    public let memoryBudgetBytes: Int
    /// Longest a transfer may stay paused before it ends with ``TransferError/paused(limit:)``;
    /// `nil`: without limit.
    public let maxPaused: Duration?

    /// Connections libcurl keeps open, in use or idle, before it closes the oldest idle one on each
    /// transfer's end: this many, or the most transfers ever in progress at once if more. libcurl's
    /// default, four per transfer in progress now, closed connections whenever concurrency dipped between
    /// bursts, and the next burst paid a new handshake for each. Idle connections still close after
    /// libcurl's maximum idle age (118 s).
    static let connectionCacheFloor = 1024

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Initialises libcurl (and through it OpenSSL) for the process, once; every engine does it
    /// when created, and this lets a caller do it sooner, on a thread of its own. `false` when
    /// libcurl cannot be initialised.
    @discardableResult
    public static func initialiseLibrary() -> Bool { globalInit }

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
    public convenience init(
        highWaterBytes: Int = 256 * 1024,
        memoryBudgetBytes: Int = 64 << 20,
        maxPaused: Duration? = .seconds(120),
        logger: Logger? = nil
    ) throws {
        try self.init(
            highWaterBytes: highWaterBytes,
            memoryBudgetBytes: memoryBudgetBytes,
            maxPaused: maxPaused,
            connectionCacheFloor: Self.connectionCacheFloor,
            logger: logger
        )
    }

    /// As the public initialiser, with the connection cache's floor chosen (tests use a small one).
    init(
        highWaterBytes: Int,
        memoryBudgetBytes: Int,
        maxPaused: Duration?,
        connectionCacheFloor: Int,
        logger: Logger?
    ) throws {
        guard Self.globalInit else { throw TransferError.shutdown }
        let descriptors = try LoopDescriptors()
        guard let multi = curl_multi_init() else {
            descriptors.close()
            throw TransferError.shutdown
        }
        self.multi = multi
        self.descriptors = descriptors
        self.highWaterBytes = highWaterBytes
        self.memoryBudgetBytes = memoryBudgetBytes
        self.maxPaused = maxPaused
        loopState = LoopState(
            epoll: descriptors.epoll,
            budgetBytes: memoryBudgetBytes,
            streamBytes: highWaterBytes,
            maxPaused: maxPaused,
            connectionCacheSize: connectionCacheFloor,
            logger: logger
        )
        let state = Unmanaged.passUnretained(loopState).toOpaque()
        guard nl_multi_set_socket_callback(multi, socketCallback) == CURLM_OK,
            nl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, state) == CURLM_OK,
            nl_multi_set_timer_callback(multi, timerCallback) == CURLM_OK,
            nl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, state) == CURLM_OK,
            nl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, connectionCacheFloor) == CURLM_OK
        else {
            curl_multi_cleanup(multi)
            throw TransferError.shutdown  // `deinit` closes the descriptors: every property is set.
        }
    }

    deinit {
        // Here rather than when the loop stops: a thread that saw the loop asleep may still be about to signal.
        descriptors.close()
    }

    /// libcurl's version string, e.g. for `status`.
    public static var curlVersion: String { String(cString: curl_version()) }

    /// Starts the loop thread.
    public func start() {
        let alreadyRunning = inbox.withLock { inbox -> Bool in
            // Never reopened after a shutdown: no thread would drain the inbox.
            guard !inbox.accepting, !inbox.stopped else { return true }
            inbox.accepting = true
            return false
        }
        guard !alreadyRunning else { return }
        Thread.detachNewThread { [self] in
            nameCurrentThread("neurolink-curl")
            runLoop()
        }
    }

    /// Stops the loop: every unfinished transfer ends with ``TransferError/shutdown``. Returns once the
    /// thread has cleaned up.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            let (running, wake, alreadyStopped) = inbox.withLock { inbox -> (Bool, Bool, Bool) in
                if inbox.stopped { return (false, false, true) }
                inbox.stopWaiters.append(continuation)
                let running = inbox.accepting
                inbox.accepting = false
                inbox.commands.append(.stop)
                defer { inbox.sleeping = false }
                return (running, inbox.sleeping, false)
            }
            if alreadyStopped {
                continuation.resume()
            } else if running {
                if wake { wakeLoop() }
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
        guard perform(.add(context)) else { throw .shutdown }
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

    func remove(_ transfer: HTTPTransfer) { _ = perform(.remove(ObjectIdentifier(transfer))) }
    func drained(_ transfer: HTTPTransfer) { _ = perform(.drained(ObjectIdentifier(transfer))) }

    /// Carries out `command` on the calling thread when libcurl is free (the loop sleeps), else queues it
    /// for the loop. Returns false when the engine no longer accepts commands.
    private func perform(_ command: Command) -> Bool {
        let done = engine.withLockIfAvailable { open -> (done: Bool, wake: Bool) in
            guard open, inbox.withLock({ $0.accepting }) else { return (false, false) }
            _ = run(command)
            // A drain, a removal or an ended transfer may take the budget under its resume line: the held-back
            // transfers go now, not at the loop's next round (their sockets are out of the epoll set).
            loopState.releaseHeldBack()
            runTimerIfDue(now: .now)
            collectFinished()
            loopState.releaseHeldBack()
            return (true, loopState.dueBeforePlannedWake)
        }
        guard let done, done.done else { return send(command) }
        // What the command set in motion needs attention before the loop's wait would end.
        if done.wake { wakeLoop() }
        return true
    }

    private func send(_ command: Command) -> Bool {
        let (accepted, wake) = inbox.withLock { inbox -> (Bool, Bool) in
            guard inbox.accepting else { return (false, false) }
            inbox.commands.append(command)
            // Only the first command since the loop went to sleep needs to wake it.
            defer { inbox.sleeping = false }
            return (true, inbox.sleeping)
        }
        // The eventfd stays open as long as this engine exists (closed in `deinit`).
        if wake { wakeLoop() }
        return accepted
    }

    private func wakeLoop() {
        wakeUps.add(1, ordering: .relaxed)
        descriptors.signal()
    }

    func finishStop() {
        let waiters = inbox.withLock { inbox -> [CheckedContinuation<Void, Never>] in
            inbox.stopped = true
            defer { inbox.stopWaiters = [] }
            return inbox.stopWaiters
        }
        waiters.forEach { $0.resume() }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, saturating at `Int64`'s bounds. Kept for existing callers;
    /// new code uses NeuroLinkBasics' `wholeMilliseconds(rounding:)`, which it wraps.
    public var milliseconds: Int64 { Int64(wholeMilliseconds(rounding: .down)) }
}
