import NeuroLinkLimits
import Testing

@Suite struct StoreTests {
    private let time = Timeline()
    private let perSecond = RateLimit(rate: .perSecond(1), burst: 0)

    private func key(_ tenant: String, _ dimension: LimitDimension = .requests) -> LimiterKey {
        LimiterKey(.tenant(TenantKey(tenant)), dimension)
    }

    @Test func aBatchIsChargedWholeOrNotAtAll() {
        let store = InMemoryLimiterStore()
        _ = store.acquire(key: key("b"), limit: perSecond, cost: 1, now: time.ms(0))
        let generous = RateLimit(rate: .perSecond(100), burst: 99)
        let batch = [
            RateCharge(key: key("a"), limit: generous, cost: 1),
            RateCharge(key: key("b"), limit: perSecond, cost: 1),
            RateCharge(key: key("c"), limit: generous, cost: 1),
        ]
        let denied = store.acquireAll(batch, now: time.ms(0))
        #expect(!denied.allowed)
        #expect(denied.blockingIndex == 1)
        #expect(denied.retryAfter == .seconds(1))
        // Neither the charge before the denial nor the one after it was kept.
        #expect(store.peek(key: key("a"), limit: generous, cost: 0, now: time.ms(0)).remaining == 100)
        #expect(store.peek(key: key("c"), limit: generous, cost: 0, now: time.ms(0)).remaining == 100)
        let admitted = store.acquireAll(batch, now: time.ms(1000))
        #expect(admitted.allowed)
        #expect(store.peek(key: key("a"), limit: generous, cost: 0, now: time.ms(1000)).remaining == 99)
    }

    @Test func theLongestWaitNamesTheBlockingCharge() {
        let store = InMemoryLimiterStore()
        let perMinute = RateLimit(rate: .perMinute(1), burst: 0)
        _ = store.acquire(key: key("x"), limit: perSecond, cost: 1, now: time.ms(0))
        _ = store.acquire(key: key("y"), limit: perMinute, cost: 1, now: time.ms(0))
        let decision = store.acquireAll(
            [
                RateCharge(key: key("x"), limit: perSecond, cost: 1),
                RateCharge(key: key("y"), limit: perMinute, cost: 1),
            ],
            now: time.ms(0)
        )
        #expect(decision.blockingIndex == 1)
        #expect(decision.retryAfter == .seconds(60))
    }

    @Test func theDefaultBatchRefundsWhatItChargedBeforeADenial() async {
        // A store that implements only the three single-key methods gets the protocol's batch.
        let store = SingleKeyStore()
        let generous = RateLimit(rate: .perSecond(100), burst: 99)
        _ = await store.acquire(key: key("b"), limit: perSecond, cost: 1, now: time.ms(0))
        let denied = await store.acquireAll(
            [
                RateCharge(key: key("a"), limit: generous, cost: 3),
                RateCharge(key: key("b"), limit: perSecond, cost: 1),
            ],
            now: time.ms(0)
        )
        #expect(!denied.allowed)
        #expect(await store.peek(key: key("a"), limit: generous, cost: 0, now: time.ms(0)).remaining == 100)
    }

    @Test func theTableStaysBoundedAndDropsIdleKeysFirst() {
        let store = InMemoryLimiterStore(maxKeys: 16)
        for index in 0..<16 { _ = store.acquire(key: key("idle\(index)"), limit: perSecond, cost: 1, now: time.ms(0)) }
        #expect(store.keyCount == 16)
        // Two seconds later every bucket is full again: making room costs no information.
        _ = store.acquire(key: key("new"), limit: perSecond, cost: 1, now: time.ms(2000))
        #expect(store.keyCount == 1)
        #expect(store.evictions == 0)
        for index in 0..<15 {
            _ = store.acquire(key: key("busy\(index)"), limit: perSecond, cost: 1, now: time.ms(2000))
        }
        _ = store.acquire(key: key("one-more"), limit: perSecond, cost: 1, now: time.ms(2000))
        #expect(store.keyCount == 16)
        #expect(store.evictions == 1)
    }

    @Test func aFullRefundForgetsTheKey() {
        let store = InMemoryLimiterStore()
        _ = store.acquire(key: key("a"), limit: perSecond, cost: 1, now: time.ms(0))
        store.adjust(key: key("a"), limit: perSecond, by: -1, now: time.ms(0))
        #expect(store.keyCount == 0)
    }
}

/// A store with only the single-key methods, backed by GCRA over a locked dictionary.
private final class SingleKeyStore: RateLimiterStore {
    private let inner = InMemoryLimiterStore()

    func reset(where isStale: @Sendable (LimiterKey) -> Bool) async {
        inner.reset(where: isStale)
    }

    func acquire(key: LimiterKey, limit: RateLimit, cost: Int, now: ContinuousClock.Instant) async -> RateDecision {
        inner.acquire(key: key, limit: limit, cost: cost, now: now)
    }

    func adjust(key: LimiterKey, limit: RateLimit, by delta: Int, now: ContinuousClock.Instant) async {
        inner.adjust(key: key, limit: limit, by: delta, now: now)
    }

    func peek(key: LimiterKey, limit: RateLimit, cost: Int, now: ContinuousClock.Instant) async -> RateDecision {
        inner.peek(key: key, limit: limit, cost: cost, now: now)
    }
}
