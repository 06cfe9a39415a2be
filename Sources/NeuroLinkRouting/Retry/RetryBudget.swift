/// The daemon-wide retry budget: retries (and failovers) allowed as a share of recent requests,
/// so that retries can never multiply an outage (Envoy `retry_budget`, Finagle's `RetryBudget`).
///
/// Requests and retries are counted in `buckets` slots covering the last `window`; a retry is
/// allowed while the retries in the window stay below `max(minRetriesPerWindow, ⌊ratio × requests⌋)`.
/// The floor lets a quiet daemon (one request a minute) still retry at all.
public struct RetryBudget: Sendable, Hashable {
    /// Retries allowed per request received in the window.
    public let ratio: Double
    /// Retries allowed in the window however few requests came.
    public let minRetriesPerWindow: Int
    /// How far back requests and retries count.
    public let window: Duration

    private let bucketWidth: Duration
    private var slots: [Slot]
    /// The time bucket 0 starts at; set by the first event.
    private var origin: ContinuousClock.Instant?
    /// The newest bucket seen: events taken slightly out of order (their `now` read before another
    /// caller's) land in it rather than in a bucket already recycled.
    private var newest: Int64 = 0

    private struct Slot: Sendable, Hashable {
        var bucket: Int64 = -1
        var requests = 0
        var retries = 0
    }

    /// - Parameters:
    ///   - ratio: retries per request, clamped to 0...1000.
    ///   - minRetriesPerWindow: retries always allowed in a window.
    ///   - window: how far back requests and retries count (at least 1 ms).
    ///   - buckets: the window's resolution (1...1000).
    public init(ratio: Double = 0.2, minRetriesPerWindow: Int = 3, window: Duration = .seconds(10), buckets: Int = 10) {
        self.ratio = ratio.isNaN ? 0 : ratio.clamped(to: 0...1000)
        self.minRetriesPerWindow = max(0, minRetriesPerWindow)
        self.window = max(.milliseconds(1), window)
        let count = buckets.clamped(to: 1...1000)
        bucketWidth = self.window / count
        slots = Array(repeating: Slot(), count: count)
    }

    /// Counts one client request (not its retries).
    public mutating func recordRequest(now: ContinuousClock.Instant) {
        let index = slotIndex(now: now)
        slots[index].requests += 1
    }

    /// Takes one retry from the budget, or returns `false` when it is used up.
    public mutating func tryAcquireRetry(now: ContinuousClock.Instant) -> Bool {
        let index = slotIndex(now: now)
        let totals = totals()
        guard totals.retries < allowed(requests: totals.requests) else { return false }
        slots[index].retries += 1
        return true
    }

    /// Requests and retries in the window ending at `now`, and the retries still available.
    public func snapshot(now: ContinuousClock.Instant) -> RetryBudgetSnapshot {
        let current = origin.map { bucket(of: now, origin: $0) } ?? 0
        let live = slots.filter { $0.bucket >= 0 && $0.bucket > max(current, newest) - Int64(slots.count) }
        let requests = live.reduce(0) { $0 + $1.requests }
        let retries = live.reduce(0) { $0 + $1.retries }
        return RetryBudgetSnapshot(
            requests: requests,
            retries: retries,
            available: max(0, allowed(requests: requests) - retries)
        )
    }

    private func allowed(requests: Int) -> Int {
        let share = (Double(requests) * ratio).rounded(.down)
        return max(minRetriesPerWindow, share >= Double(Int.max) ? Int.max : Int(share))
    }

    private func totals() -> (requests: Int, retries: Int) {
        slots.reduce((0, 0)) { ($0.0 + $1.requests, $0.1 + $1.retries) }
    }

    /// The slot for `now`, with every slot that fell out of the window emptied.
    private mutating func slotIndex(now: ContinuousClock.Instant) -> Int {
        let origin = origin ?? now
        self.origin = origin
        let current = max(bucket(of: now, origin: origin), newest)
        newest = current
        let count = Int64(slots.count)
        for index in slots.indices where slots[index].bucket <= current - count {
            slots[index] = Slot()
        }
        let index = Int(((current % count) + count) % count)
        if slots[index].bucket != current { slots[index] = Slot(bucket: current) }
        return index
    }

    private func bucket(of now: ContinuousClock.Instant, origin: ContinuousClock.Instant) -> Int64 {
        let position = ((now - origin) / bucketWidth).rounded(.down)
        return Int64(position.clamped(to: -1e15...1e15))
    }
}

/// The retry budget's numbers, for status.
public struct RetryBudgetSnapshot: Sendable, Hashable {
    /// Requests received in the window.
    public var requests: Int
    /// Retries and failovers made in the window.
    public var retries: Int
    /// Retries still allowed in the window.
    public var available: Int

    public init(requests: Int, retries: Int, available: Int) {
        self.requests = requests
        self.retries = retries
        self.available = available
    }
}
