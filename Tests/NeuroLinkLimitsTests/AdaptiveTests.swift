import NeuroLinkLimits
import Testing

@Suite struct AdaptiveTests {
    private func limit(min: Int = 2, max: Int = 20, initial: Int = 10) -> AdaptiveConcurrencyLimit {
        var settings = AdaptiveSettings()
        settings.targetResponseTime = .milliseconds(1000)
        settings.minLimit = min
        settings.maxLimit = max
        settings.initialLimit = initial
        return AdaptiveConcurrencyLimit(settings: settings)
    }

    @Test func theLimitRisesUnderFastResponsesUpToItsMaximum() {
        var adaptive = limit()
        var seen: [Int] = []
        for _ in 0..<30 {
            adaptive.record(responseTime: .milliseconds(200), inFlight: adaptive.limit)
            seen.append(adaptive.limit)
        }
        #expect(seen.prefix(3) == [11, 12, 13])
        #expect(seen.last == 20)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func theLimitFallsUnderSlowResponsesDownToItsMinimum() {
        var adaptive = limit()
        adaptive.record(responseTime: .milliseconds(1500), inFlight: 10)
        #expect(adaptive.limit == 9)
        for _ in 0..<100 { adaptive.record(responseTime: .seconds(3), inFlight: 1) }
        #expect(adaptive.limit == 2)
        adaptive.recordOverload()
        #expect(adaptive.limit == 2)
    }

    @Test func anUnusedLimitDoesNotGrow() {
        var adaptive = limit()
        for _ in 0..<10 { adaptive.record(responseTime: .milliseconds(100), inFlight: 3) }
        #expect(adaptive.limit == 10)
    }

    @Test func overloadCutsMultiplicativelyAndBadSettingsAreRepaired() {
        var adaptive = limit(initial: 20)
        adaptive.recordOverload()
        #expect(adaptive.limit == 18)
        var settings = AdaptiveSettings()
        settings.minLimit = 0
        settings.maxLimit = -5
        settings.decreaseFactor = 3
        let repaired = AdaptiveConcurrencyLimit(settings: settings)
        #expect(repaired.limit == 1)
        #expect(repaired.settings.decreaseFactor == 0.9)
    }
}
