import NeuroLinkLimits
import Testing

@Suite struct GCRATests {
    private let time = Timeline()

    /// Runs `arrivals` through GCRA and returns the admitted ones.
    private func admitted(_ arrivals: [ContinuousClock.Instant], limit: RateLimit) -> Int {
        var tat: ContinuousClock.Instant?
        var count = 0
        for now in arrivals {
            let step = GCRA.acquire(tat: tat, limit: limit, cost: 1, now: now)
            if let new = step.tat { tat = new }
            if step.decision.allowed { count += 1 }
        }
        return count
    }

    @Test func aFullBucketAdmitsBurstPlusOneAtOnceThenRefillsAtTheRate() {
        let limit = RateLimit(rate: .perSecond(10), burst: 4)
        var tat: ContinuousClock.Instant?
        var decisions: [RateDecision] = []
        for _ in 0..<6 {
            let step = GCRA.acquire(tat: tat, limit: limit, cost: 1, now: time.ms(0))
            if let new = step.tat { tat = new }
            decisions.append(step.decision)
        }
        #expect(decisions.map(\.allowed) == [true, true, true, true, true, false])
        #expect(decisions.map(\.remaining) == [4, 3, 2, 1, 0, 0])
        // One unit comes back every 100 ms: the denial says exactly when.
        #expect(decisions[5].retryAfter == .milliseconds(100))
        #expect(decisions[4].resetAfter == .milliseconds(500))
        #expect(!GCRA.peek(tat: tat, limit: limit, cost: 1, now: time.ms(99)).allowed)
        #expect(GCRA.peek(tat: tat, limit: limit, cost: 1, now: time.ms(100)).allowed)
        // After 300 ms three units are back, not four.
        let later = GCRA.peek(tat: tat, limit: limit, cost: 0, now: time.ms(300))
        #expect(later.remaining == 3)
        // After 500 ms the bucket is full again and the state carries nothing.
        #expect(GCRA.peek(tat: tat, limit: limit, cost: 0, now: time.ms(500)).remaining == 5)
    }

    @Test func aRateIsExactPerMinute() {
        let limit = RateLimit(rate: .perMinute(7), burst: 0)
        let first = GCRA.acquire(tat: nil, limit: limit, cost: 1, now: time.ms(0))
        #expect(first.decision.allowed)
        let second = GCRA.acquire(tat: first.tat, limit: limit, cost: 1, now: time.ms(0))
        #expect(!second.decision.allowed)
        // 60 s / 7, to the attosecond (truncated).
        #expect(second.decision.retryAfter == .seconds(60) / 7)
    }

    @Test func aCostLargerThanTheBucketCanNeverPass() {
        let limit = RateLimit(rate: .perSecond(10), burst: 9)
        let step = GCRA.acquire(tat: nil, limit: limit, cost: 11, now: time.ms(0))
        #expect(!step.decision.allowed)
        #expect(step.decision.retryAfter == nil)
        #expect(step.tat == nil)
        #expect(GCRA.acquire(tat: nil, limit: limit, cost: 10, now: time.ms(0)).decision.allowed)
    }

    @Test func refundingWhatWasChargedUndoesIt() {
        let limit = RateLimit(rate: .perSecond(5), burst: 2)
        let start = GCRA.acquire(tat: nil, limit: limit, cost: 2, now: time.ms(0)).tat
        let charged = GCRA.acquire(tat: start, limit: limit, cost: 1, now: time.ms(10)).tat
        let refunded = GCRA.adjust(tat: charged, limit: limit, by: -1, now: time.ms(10))
        for probe in [10, 50, 200, 400, 700] {
            #expect(
                GCRA.peek(tat: refunded, limit: limit, cost: 0, now: time.ms(probe))
                    == GCRA.peek(tat: start, limit: limit, cost: 0, now: time.ms(probe)),
                "at \(probe) ms"
            )
        }
        // Refunding more than was used leaves a full bucket, not more than full.
        #expect(GCRA.adjust(tat: charged, limit: limit, by: -100, now: time.ms(10)) == nil)
        // A positive adjustment is debt: the next unit must wait for it.
        let debt = GCRA.adjust(tat: nil, limit: limit, by: 5, now: time.ms(0))
        #expect(GCRA.peek(tat: debt, limit: limit, cost: 1, now: time.ms(0)).retryAfter == .milliseconds(600))
    }

    @Test func aBurstOf1000RequestsOver10SecondsAgainst50PerSecondBurst10Admits510() {
        // One request every 10 ms from 0 to 9.99 s: the theoretical count is 50 × 10 + 10.
        let arrivals = (0..<1000).map { time.ms($0 * 10) }
        #expect(admitted(arrivals, limit: RateLimit(rate: .perSecond(50), burst: 10)) == 510)
    }

    @Test func gcraAdmitsExactlyWhatATokenBucketOfBurstPlusOneAdmits() {
        var random = SeededGenerator(seed: 0x6C1A)
        let periods: [Duration] = [.seconds(1), .seconds(60), .seconds(7), .milliseconds(250)]
        var disagreements: [String] = []
        var admittedTotal = 0
        var deniedTotal = 0
        for round in 0..<60 {
            let rate = Rate(
                Int.random(in: 1...300, using: &random),
                per: periods.randomElement(using: &random) ?? .seconds(1)
            )
            let limit = RateLimit(rate: rate, burst: Int.random(in: 0...20, using: &random))
            var bucket = TokenBucket(limit: limit, now: time.ms(0))
            var tat: ContinuousClock.Instant?
            var offset = Duration.zero
            // Gaps from nothing to three emission intervals, in whole nanoseconds.
            let maxGap = max(
                1,
                (rate.interval * 3).components.seconds * 1_000_000_000
                    + (rate.interval * 3).components.attoseconds / 1_000_000_000
            )
            for step in 0..<1500 {
                let now = time.at(offset)
                let cost = Int.random(in: 1...max(1, limit.capacity + 1), using: &random)
                let gcra = GCRA.acquire(tat: tat, limit: limit, cost: cost, now: now)
                if let new = gcra.tat { tat = new }
                let classic = bucket.tryConsume(cost, now: now)
                if gcra.decision.allowed != classic
                    || gcra.decision.remaining != bucket.available(now: now)
                {
                    disagreements.append("round \(round) step \(step) \(limit) cost \(cost)")
                }
                if classic { admittedTotal += 1 } else { deniedTotal += 1 }
                offset += .nanoseconds(Int64.random(in: 0...maxGap, using: &random))
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        // The sequences exercise both outcomes plenty.
        #expect(admittedTotal > 10_000)
        #expect(deniedTotal > 10_000)
    }

    @Test func aTokenBucketRefillsContinuouslyUpToItsCapacity() {
        var bucket = TokenBucket(rate: .perSecond(4), capacity: 2, now: time.ms(0))
        let outcomes = [
            bucket.tryConsume(2, now: time.ms(0)), bucket.tryConsume(1, now: time.ms(249)),
            bucket.tryConsume(1, now: time.ms(250)),
        ]
        #expect(outcomes == [true, false, true])
        #expect(bucket.available(now: time.ms(10_000)) == 2)
    }

    @Test func ratesDescribeThemselvesAndKeepFractions() {
        #expect(Rate.perSecond(50).description == "50/s")
        #expect(Rate.perMinute(600).description == "600/min")
        #expect(Rate.perSecond(2.5).interval == .milliseconds(400))
        #expect(Rate.perSecond(0).count == 1)
        #expect(RateLimit.tokensPerMinute(10_000).capacity == 10_000)
    }
}
