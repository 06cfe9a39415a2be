import NeuroLinkProtocol
import NeuroLinkRouting
import Testing

@Suite struct RetryBudgetTests {
    @Test func stormIsCappedAtTheRatio() {
        var budget = RetryBudget(ratio: 0.2, minRetriesPerWindow: 3, window: .seconds(10), buckets: 10)
        var requests = 0
        var granted = 0
        // 60 s of a storm: 100 requests a second, each failing and asking for two retries.
        for step in 0..<6000 {
            let now = base.advanced(by: .milliseconds(10 * step))
            budget.recordRequest(now: now)
            requests += 1
            for _ in 0..<2 where budget.tryAcquireRetry(now: now) { granted += 1 }
            // At no point may the window hold more retries than the budget allows.
            let snapshot = budget.snapshot(now: now)
            #expect(snapshot.retries <= max(3, snapshot.requests / 5), "step \(step)")
        }
        let share = Double(granted) / Double(requests)
        #expect(share > 0.18 && share <= 0.21, "granted \(granted) of \(requests)")
    }

    @Test func quietDaemonStillGetsTheFloor() {
        var budget = RetryBudget(ratio: 0.2, minRetriesPerWindow: 3, window: .seconds(10))
        budget.recordRequest(now: at(0))
        let granted = [0.0, 1, 2, 3].map { budget.tryAcquireRetry(now: at($0)) }
        #expect(granted == [true, true, true, false])
        #expect(budget.snapshot(now: at(3)) == RetryBudgetSnapshot(requests: 1, retries: 3, available: 0))
        // Once those retries leave the window, the floor is available again.
        let later = budget.tryAcquireRetry(now: at(13))
        #expect(later)
        #expect(budget.snapshot(now: at(13)).retries == 1)
    }

    @Test func sharedBudgetWrapsTheSameRules() {
        let shared = SharedRetryBudget(RetryBudget(ratio: 0.5, minRetriesPerWindow: 0, window: .seconds(10)))
        #expect(!shared.tryAcquireRetry(now: at(0)))
        for _ in 0..<4 { shared.recordRequest(now: at(0)) }
        #expect(shared.tryAcquireRetry(now: at(0)))
        #expect(shared.tryAcquireRetry(now: at(0)))
        #expect(!shared.tryAcquireRetry(now: at(0)))
        let snapshot = shared.snapshot(now: at(0))
        #expect(snapshot.requests == 4 && snapshot.retries == 2 && snapshot.available == 0)
        #expect(snapshot.retryBudgetStatus.retries == 2)
    }
}
