import Synchronization

/// One ``RetryBudget`` shared by every request of the daemon.
public final class SharedRetryBudget: Sendable {
    private let state: Mutex<RetryBudget>

    public init(_ budget: RetryBudget = RetryBudget()) {
        state = Mutex(budget)
    }

    /// Counts one client request.
    public func recordRequest(now: ContinuousClock.Instant) {
        state.withLock { $0.recordRequest(now: now) }
    }

    /// Takes one retry from the budget, or returns `false` when it is used up.
    public func tryAcquireRetry(now: ContinuousClock.Instant) -> Bool {
        state.withLock { $0.tryAcquireRetry(now: now) }
    }

    /// The budget's numbers at `now`, for status.
    public func snapshot(now: ContinuousClock.Instant) -> RetryBudgetSnapshot {
        state.withLock { $0.snapshot(now: now) }
    }
}
