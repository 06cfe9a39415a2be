import NeuroLinkCore
import NeuroLinkProtocol
import Testing

/// The `status` totals saturate instead of overflowing, whatever providers report.
@Suite struct DaemonStatsTests {
    @Test func tokenAndChunkTotalsSaturateAtTheLargestSafeCount() {
        let stats = DaemonStats()
        let huge = Usage(inputTokens: .max, outputTokens: .max)
        for _ in 0..<3 {
            stats.requestStarted()
            stats.requestEnded(.succeeded, chunks: .max, usage: huge)
        }
        stats.requestStarted()
        stats.requestEnded(.failed, chunks: -5, usage: Usage(inputTokens: -1, outputTokens: -1))
        let totals = stats.snapshot.totals
        #expect(totals.inputTokens == Usage.maxTokens)
        #expect(totals.outputTokens == Usage.maxTokens)
        #expect(totals.chunks == Usage.maxTokens)
        #expect(totals.requests == 4 && totals.succeeded == 3 && totals.failed == 1)
        #expect(stats.snapshot.activeStreams == 0)
    }

    @Test func smallTotalsAddUp() {
        let stats = DaemonStats()
        for _ in 0..<2 {
            stats.requestStarted()
            stats.requestEnded(.succeeded, chunks: 3, usage: Usage(inputTokens: 10, outputTokens: 5))
        }
        let totals = stats.snapshot.totals
        #expect(totals.chunks == 6 && totals.inputTokens == 20 && totals.outputTokens == 10)
    }
}
