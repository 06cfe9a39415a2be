import NeuroLinkRouting
import Testing

@Suite struct MemberSelectorTests {
    @Test func priorityPrefersTheLowestNumberThenConfigurationOrder() {
        let selector = SelectorBox(.priority)
        let candidates = [2, 0, 1, 0].enumerated().map { CandidateSnapshot(index: $0.offset, priority: $0.element) }
        #expect(selector.order(candidates) == [1, 3, 2, 0])
        #expect(selector.order(candidates) == [1, 3, 2, 0], "no rotation")
    }

    @Test func roundRobinRotates() {
        let selector = SelectorBox(.roundRobin)
        let all = (0..<3).map { CandidateSnapshot(index: $0) }
        #expect(selector.order(all) == [0, 1, 2])
        #expect(selector.order(all) == [1, 2, 0])
        #expect(selector.order(all) == [2, 0, 1])
        #expect(selector.order(all) == [0, 1, 2])
        // A skipped member is stepped over without disturbing the rotation.
        let withoutOne = [all[0], all[2]]
        #expect(selector.order(withoutOne) == [2, 0])
        #expect(selector.order(all) == [0, 1, 2])
    }

    @Test func weightedDistributesWithinTwoPercentOfWeights() {
        let selector = SelectorBox(.weighted)
        let weights = [5, 3, 1, 1]
        let candidates = weights.enumerated().map { CandidateSnapshot(index: $0.offset, weight: $0.element) }
        var counts = [0, 0, 0, 0]
        var longestRun = 0
        var run = 0
        var previous = -1
        for _ in 0..<10_000 {
            let order = selector.order(candidates)
            #expect(Set(order) == [0, 1, 2, 3], "every member stays in the failover order")
            let chosen = order[0]
            counts[chosen] += 1
            run = chosen == previous ? run + 1 : 1
            longestRun = max(longestRun, run)
            previous = chosen
        }
        for (index, weight) in weights.enumerated() {
            let share = Double(counts[index]) / 10_000
            #expect(abs(share - Double(weight) / 10) <= 0.02, "member \(index): \(counts[index])")
        }
        // Smooth: the heaviest member is interleaved, never picked five times in a row.
        #expect(longestRun <= 2)
    }

    @Test func weightZeroIsOnlyAFallback() {
        let selector = SelectorBox(.weighted)
        let candidates = [CandidateSnapshot(index: 0, weight: 0), CandidateSnapshot(index: 1, weight: 1)]
        for _ in 0..<10 { #expect(selector.order(candidates) == [1, 0]) }
        #expect(selector.order([CandidateSnapshot(index: 0, weight: 0)]) == [0])
    }

    @Test func leastInflightPrefersTheIdlest() {
        let selector = SelectorBox(.leastInflight)
        let busy = [3, 0, 2].enumerated().map { CandidateSnapshot(index: $0.offset, inFlight: $0.element) }
        #expect(selector.order(busy) == [1, 2, 0])
        // Ties rotate, so an idle pool spreads its load.
        let idle = (0..<3).map { CandidateSnapshot(index: $0) }
        let firsts = (0..<6).map { _ in selector.order(idle)[0] }
        #expect(Set(firsts) == [0, 1, 2])
    }

    @Test func leastLatencyExploresUnmeasuredMembersFirst() {
        let selector = SelectorBox(.leastLatency)
        let candidates = [
            CandidateSnapshot(index: 0, ewmaLatencyMs: 300),
            CandidateSnapshot(index: 1, ewmaLatencyMs: nil),
            CandidateSnapshot(index: 2, ewmaLatencyMs: 100),
        ]
        #expect(selector.order(candidates) == [1, 2, 0])
    }

    @Test func performanceBasedPenalisesAMemberOverItsMaxLatency() {
        let selector = SelectorBox(.performanceBased)
        let limit = Thresholds(maxLatencyMs: 1000)
        let candidates = [
            CandidateSnapshot(index: 0, ewmaLatencyMs: 1500, thresholds: limit),
            CandidateSnapshot(index: 1, ewmaLatencyMs: 600, thresholds: limit),
        ]
        var slow = 0
        for _ in 0..<1000 where selector.order(candidates)[0] == 0 { slow += 1 }
        // Score ratio 0.4 × 0.01 : 0.625, so about 0.6% of the picks (kept for re-measuring).
        #expect(slow > 0 && slow < 20, "\(slow)")
        #expect(PerformanceScore.score(candidates[0]) < PerformanceScore.score(candidates[1]) / 50)
    }

    @Test func performanceScoreFollowsItsFormula() {
        let plain = CandidateSnapshot(index: 0, weight: 2)
        #expect(PerformanceScore.score(plain) == 2, "unmeasured members score their weight")
        let measured = CandidateSnapshot(index: 0, weight: 2, ewmaLatencyMs: 2000, errorRatePct: 25, throughputTps: 20)
        #expect(abs(PerformanceScore.score(measured) - 2 * 0.5 * 0.75 * 1) < 1e-9)
        let erroring = CandidateSnapshot(index: 0, errorRatePct: 30, thresholds: Thresholds(maxErrorRatePct: 10))
        #expect(abs(PerformanceScore.score(erroring) - 0.7 * PerformanceScore.penalty) < 1e-9)
        let slowStream = CandidateSnapshot(index: 0, throughputTps: 10, thresholds: Thresholds(minThroughputTps: 30))
        #expect(abs(PerformanceScore.score(slowStream) - (20.0 / 40) * PerformanceScore.penalty) < 1e-9)
    }

    @Test func noCandidatesNoOrder() {
        for strategy in RoutingStrategy.allCases {
            let selector = SelectorBox(strategy)
            #expect(selector.order([]).isEmpty)
        }
    }
}
