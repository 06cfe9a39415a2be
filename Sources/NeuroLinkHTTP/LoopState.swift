import CCurl
import Logging

/// What the loop thread owns besides the multi handle: the transfers in flight, the buffer budget
/// and when deadlines are next due.
///
/// Only the holder of the loop's `engine` lock touches it, libcurl's callbacks included (they run inside
/// `curl_multi_socket_action` and `curl_easy_pause`, on the thread that called them). The accounting of
/// every piece costs no lock beyond that one and the transfer's own, which the write path takes anyway.
final class LoopState {
    var active: [ObjectIdentifier: EasyContext] = [:]
    private(set) var budget: BufferBudget<ObjectIdentifier>
    /// When the next deadline scan is due; `nil` while no limit can fire.
    var nextScan: ContinuousClock.Instant?
    /// When libcurl wants `curl_multi_socket_action` called for its timeouts; `nil`: no timer (its timer callback
    /// sets it).
    var curlTimer: ContinuousClock.Instant?
    /// The epoll set holding libcurl's sockets (its socket callback edits it).
    let epoll: Int32
    /// When the loop thread's current wait ends at the latest.
    var plannedWake: ContinuousClock.Instant = .now

    /// Whether libcurl's timer or a deadline now falls before the loop's wait ends: work done outside the
    /// loop thread (a transfer started while it slept) then has to wake it.
    var dueBeforePlannedWake: Bool { nextDue.map { $0 < plannedWake } ?? false }

    /// The earlier of libcurl's timer and the next deadline scan.
    var nextDue: ContinuousClock.Instant? {
        switch (curlTimer, nextScan) {
        case (let timer?, let scan?): min(timer, scan)
        case (let timer?, nil): timer
        case (nil, let scan): scan
        }
    }
    /// libcurl's connection cache size (`CURLMOPT_MAXCONNECTS`) now: raised to the most transfers ever in
    /// progress at once, never lowered.
    private(set) var connectionCacheSize: Int
    /// Longest a transfer may stay paused; `nil`: without limit.
    let maxPaused: Duration?
    private let logger: Logger?
    private var peak = 0
    private var pausedTimeouts = 0
    /// `budget.isHoldingBack` as last logged.
    private var loggedHoldingBack = false

    init(
        epoll: Int32,
        budgetBytes: Int,
        streamBytes: Int,
        maxPaused: Duration?,
        connectionCacheSize: Int,
        logger: Logger?
    ) {
        self.epoll = epoll
        self.connectionCacheSize = connectionCacheSize
        budget = BufferBudget(limit: budgetBytes, streamLimit: streamBytes)
        self.maxPaused = maxPaused
        self.logger = logger
    }

    /// The cache size libcurl should now have, when more transfers are in progress than it holds
    /// connections: a burst that large ends with every connection kept for the next one.
    func growConnectionCache() -> Int? {
        guard active.count > connectionCacheSize else { return nil }
        connectionCacheSize = active.count
        return connectionCacheSize
    }

    /// Makes sure the next scan comes no later than the context's earliest deadline.
    func schedule(_ context: EasyContext) {
        guard let due = context.earliestDeadline(maxPaused: maxPaused) else { return }
        nextScan = min(nextScan ?? due, due)
    }

    // MARK: - Buffer budget

    /// The write callback's answer for `bytes`: their length when the transfer buffered them,
    /// `CURL_WRITEFUNC_PAUSE` when its buffer or the budget is full, 0 when the transfer has ended.
    ///
    /// Paused bytes are not counted: libcurl keeps them and hands the same bytes to this function
    /// again after the resume, where they are counted once accepted.
    func receive(_ bytes: UnsafeRawBufferPointer, for context: EasyContext) -> Int {
        let id = ObjectIdentifier(context.transfer)
        // Outside pressure, drains are not reported (that would cost a wake-up per drain), so the
        // total may be stale, though never low. Recount before acting on it.
        if !budget.isHoldingBack, budget.wouldExceed(adding: bytes.count) { recount() }
        let offer = context.transfer.offer(bytes, head: { context.head }) { buffered in
            budget.update(id, held: buffered)
            guard budget.admit(id, bytes: bytes.count) == .accept else { return .refuse }
            // While streams are held back, every drain matters: it may let them go.
            return .accept(reportDrain: budget.isHoldingBack)
        }
        logPressureChange()
        switch offer {
        case .accepted:
            context.pausedSince = nil
            peak = max(peak, budget.total)
            return bytes.count
        case .pause:
            context.curlPaused = true
            if context.pausedSince == nil {
                context.pausedSince = .now
                schedule(context)
            }
            return NL_CURL_WRITEFUNC_PAUSE
        case .abort:
            return 0
        }
    }

    /// The consumer of `id` took at least half of what its buffer held when the loop asked (or all
    /// of it): counts what is left, and resumes the transfer if it was paused. The bytes waiting in
    /// libcurl then go into a buffer with room for them (or an empty one, which the budget always
    /// accepts).
    func drained(_ id: ObjectIdentifier) {
        guard let context = active[id] else { return }
        let held = context.transfer.buffered(reportDrain: budget.isHoldingBack)
        budget.update(id, held: held)
        resume(context)
    }

    /// Lets the budget's held-back transfers go once the total is below its resume line.
    func releaseHeldBack() {
        guard budget.isHoldingBack else { return }
        for id in budget.release() {
            if let context = active[id] { resume(context) }
        }
        logPressureChange()
    }

    /// Forgets a transfer that ended.
    func forget(_ id: ObjectIdentifier) { budget.remove(id) }

    /// Counts a transfer ended for staying paused too long.
    func countPausedTimeout() { pausedTimeouts += 1 }

    func snapshot() -> StreamBufferSnapshot {
        var buffered = 0
        var paused = 0
        for context in active.values {
            buffered += context.transfer.buffered(reportDrain: false)
            if context.curlPaused { paused += 1 }
        }
        return StreamBufferSnapshot(
            bufferedBytes: buffered,
            budgetBytes: budget.limit,
            peakBufferedBytes: peak,
            activeTransfers: active.count,
            pausedTransfers: paused,
            budgetHeldTransfers: budget.heldBackCount,
            pausedTimeouts: pausedTimeouts
        )
    }

    private func resume(_ context: EasyContext) {
        guard context.curlPaused, let easy = context.easy else { return }
        context.curlPaused = false
        // The idle limit restarts now; the paused limit restarts if the bytes are refused again.
        context.pausedSince = nil
        context.lastDataAt = .now
        // libcurl may call the write callback from inside this call, with the bytes it kept.
        curl_easy_pause(easy, NL_CURLPAUSE_CONT)
        schedule(context)
    }

    /// Re-reads what every transfer holds, and asks each that holds anything to report its next
    /// drain: if the budget starts holding streams back now, its total stays exact from here on.
    private func recount() {
        for (id, context) in active {
            let held = context.transfer.buffered(reportDrain: true)
            budget.update(id, held: held)
        }
    }

    private func logPressureChange() {
        guard budget.isHoldingBack != loggedHoldingBack else { return }
        loggedHoldingBack = budget.isHoldingBack
        if loggedHoldingBack {
            logger?.info(
                "stream buffers reached the memory budget: holding back the heaviest streams",
                metadata: [
                    "bufferedBytes": "\(budget.total)", "budgetBytes": "\(budget.limit)",
                    "heldBack": "\(budget.heldBackCount)",
                ]
            )
        } else {
            logger?.info(
                "stream buffers back under the memory budget",
                metadata: [
                    "bufferedBytes": "\(budget.total)", "budgetBytes": "\(budget.limit)",
                ]
            )
        }
    }
}
