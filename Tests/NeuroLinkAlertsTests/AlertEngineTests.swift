import NeuroLinkAlerts
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol
import Synchronization
import Testing

/// The rules' states and the window of recent requests, without a daemon.
@Suite struct AlertEngineTests {
    static func record(_ outcome: RequestRecord.Outcome, durationMs: Double = 100) -> RequestRecord {
        var record = RequestRecord(requestId: .number(1), method: "stream", caller: Caller(), startedAt: 0)
        record.outcome = outcome
        record.durationMs = durationMs
        return record
    }

    @Test func aRuleFiresOnceAndResolvesOnceWhenItsValueCrossesTheThreshold() {
        var rule = AlertRule(name: "slow", metric: .queueSize, threshold: 5)
        rule.severity = .critical
        var engine = AlertEngine(rules: [rule])
        #expect(engine.evaluate(now: 1) { _ in 3 }.isEmpty)
        let fired = engine.evaluate(now: 2) { _ in 9 }
        #expect(fired.map(\.firing) == [true] && fired.first?.value == 9)
        #expect(engine.evaluate(now: 3) { _ in 12 }.isEmpty, "still firing: no new transition")
        #expect(engine.statuses.first?.state == "firing" && engine.statuses.first?.since == 2)
        let resolved = engine.evaluate(now: 4) { _ in 5 }
        #expect(resolved.map(\.firing) == [false])
        // No data counts as not breaking the rule.
        _ = engine.evaluate(now: 5) { _ in 6 }
        #expect(engine.evaluate(now: 6) { _ in nil }.map(\.firing) == [false])
        #expect(engine.statuses.first?.fired == 2)
    }

    @Test func belowRulesFireUnderTheThreshold() {
        var rule = AlertRule(name: "quiet", metric: .errorRate, threshold: 0.5)
        rule.condition = .below
        var engine = AlertEngine(rules: [rule])
        #expect(engine.evaluate(now: 1) { _ in 0.2 }.map(\.firing) == [true])
    }

    @Test func theWindowCountsFailuresOverFinishedRequestsAndTakesTheP95() {
        let now = Mutex(1000.0)
        let window = RequestWindow(clock: { now.withLock { $0 } })
        for index in 1...20 { window.record(Self.record(.success, durationMs: Double(index))) }
        window.record(Self.record(.error))
        window.record(Self.record(.cancelled))  // not counted either way
        var figures = window.figures(windowMs: 10_000, now: 1000)
        #expect(figures.requests == 21 && figures.failed == 1)
        #expect(figures.p95DurationMs == 20, "rank ⌈0.95 × 21⌉ = 20 of 1, 2, …, 20, 100")
        // Past the window, nothing is left.
        now.withLock { $0 = 1020 }
        window.record(Self.record(.rejected))
        figures = window.figures(windowMs: 10_000, now: 1020)
        #expect(figures.requests == 1 && figures.errorRate == 1)
    }

    @Test func theCacheHitRateCountsLookupsOnly() {
        let window = RequestWindow(clock: { 1000 })
        for status in [CacheStatus.hit, .miss, .miss, .bypass, .hit] {
            var record = Self.record(.success)
            record.cache = CacheInfo(status: status)
            window.record(record)
        }
        window.record(Self.record(.success))  // the cache took no part
        let figures = window.figures(windowMs: 10_000, now: 1000)
        #expect(figures.cacheLookups == 4 && figures.cacheHits == 2 && figures.cacheHitRate == 0.5)
        #expect(RequestWindow(clock: { 1000 }).figures(windowMs: 10_000, now: 1000).cacheHitRate == nil)
    }

    @Test func analyticsDropsCountOnlyThoseOfTheWindow() {
        var rule = AlertRule(name: "drops", metric: .analyticsDrops, threshold: 0)
        rule.windowMs = 10_000
        let monitor = AlertMonitor(rules: [rule])
        let gauges = { (dropped: Int) in AlertMonitor.Gauges(queueSize: 0, breakersOpen: 0, analyticsDropped: dropped) }
        #expect(monitor.evaluate(now: 100, gauges: gauges(7)).isEmpty, "drops before the first look are history")
        #expect(monitor.evaluate(now: 105, gauges: gauges(9)).map(\.firing) == [true])
        #expect(monitor.evaluate(now: 120, gauges: gauges(9)).map(\.firing) == [false])
    }
}
