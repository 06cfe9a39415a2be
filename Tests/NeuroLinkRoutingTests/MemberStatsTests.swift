import NeuroLinkProtocol
import NeuroLinkRouting
import Testing

@Suite struct MemberStatsTests {
    @Test func latencyIsAnExponentialMovingAverage() {
        var stats = MemberStats(settings: StatsSettings(latencyAlpha: 0.3))
        stats.recordSuccess(timeToFirstChunk: .milliseconds(100), duration: .seconds(1), outputTokens: nil)
        stats.recordSuccess(timeToFirstChunk: .milliseconds(200), duration: .seconds(1), outputTokens: nil)
        #expect(abs((stats.ewmaLatencyMs ?? 0) - 130) < 1e-9)
        #expect(stats.throughputTps == nil)
    }

    @Test func throughputCountsTheStreamingPart() {
        var stats = MemberStats()
        stats.recordSuccess(timeToFirstChunk: .milliseconds(500), duration: .milliseconds(2500), outputTokens: 100)
        #expect(stats.throughputTps == 50)
        // An answer in one chunk: the whole duration, not a near-zero streaming time.
        var burst = MemberStats()
        burst.recordSuccess(timeToFirstChunk: .milliseconds(990), duration: .milliseconds(1000), outputTokens: 100)
        #expect(burst.throughputTps == 100)
    }

    @Test func errorRateLeavesOutTheRequestsFaults() {
        var stats = MemberStats(settings: StatsSettings(errorWindow: 4))
        stats.recordSuccess(timeToFirstChunk: nil, duration: .seconds(1), outputTokens: nil)
        stats.recordFailure(.invalidRequest, now: at(0))
        stats.recordFailure(.contextLength, now: at(0))
        #expect(stats.errorRatePct == 0)
        stats.recordFailure(.timeout, now: at(1))
        #expect(stats.errorRatePct == 50)
        #expect(stats.failures == 3 && stats.requests == 4)
        for _ in 0..<4 { stats.recordFailure(.auth, now: at(2)) }
        #expect(stats.errorRatePct == 100, "the window holds only the last four outcomes")
    }
}
