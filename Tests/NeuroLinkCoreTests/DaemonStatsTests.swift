import NeuroLinkCore
import NeuroLinkProtocol
import Testing

/// The `status` totals saturate instead of overflowing, whatever providers report.
@Suite struct DaemonStatsTests {
    private func record(_ outcome: RequestRecord.Outcome, chunks: Int, usage: Usage?) -> RequestRecord {
        var record = RequestRecord(requestId: .number(1), method: Method.stream, caller: Caller(), startedAt: 0)
        record.outcome = outcome
        record.chunks = chunks
        record.usage = usage
        return record
    }

    @Test func tokenAndChunkTotalsSaturateAtTheLargestSafeCount() {
        let stats = DaemonStats()
        let huge = Usage(inputTokens: .max, outputTokens: .max)
        for _ in 0..<3 {
            stats.requestStarted()
            stats.record(record(.success, chunks: .max, usage: huge))
        }
        stats.requestStarted()
        stats.record(record(.error, chunks: -5, usage: Usage(inputTokens: -1, outputTokens: -1)))
        let totals = stats.snapshot.totals
        #expect(totals.inputTokens == Usage.maxTokens)
        #expect(totals.outputTokens == Usage.maxTokens)
        #expect(totals.chunks == Usage.maxTokens)
        #expect(totals.requests == 4 && totals.succeeded == 3 && totals.failed == 1)
    }

    @Test func smallTotalsAddUpAndOutcomesLandInTheirCounters() {
        let stats = DaemonStats()
        for outcome in [RequestRecord.Outcome.success, .success, .clientGone, .cancelled, .rejected, .shutDown] {
            stats.requestStarted()
            stats.record(record(outcome, chunks: 3, usage: Usage(inputTokens: 10, outputTokens: 5)))
        }
        let totals = stats.snapshot.totals
        #expect(totals.chunks == 18 && totals.inputTokens == 60 && totals.outputTokens == 30)
        #expect(totals.succeeded == 2 && totals.cancelled == 2 && totals.failed == 2)
    }
}
