import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCommands

/// The pools part of `nlctl status` and the notice lines of `nlctl stream`.
@Suite struct StatusViewPoolsTests {
    @Test func everyMemberShowsHealthBreakerAndStatistics() {
        let members = [
            PoolMemberStatus(
                member: "openai/gpt-4o-mini",
                provider: "openai",
                model: "gpt-4o-mini",
                healthy: true,
                breaker: "closed",
                inFlight: 2,
                latencyMs: 412.4,
                errorRatePct: 1.5,
                throughputTps: 61.25,
                requests: 40,
                failures: 1,
                lastError: "rate_limited"
            ),
            PoolMemberStatus(
                member: "anthropic/haiku",
                provider: "anthropic",
                model: "haiku",
                healthy: false,
                healthDetail: "model listing: upstream_auth (HTTP 401)",
                breaker: "open",
                breakerOpenForMs: 12_000,
                breakerTrips: 2,
                requests: 7,
                failures: 7,
                lastError: "auth"
            ),
        ]
        var status = StatusResult(
            version: "0.1.0",
            protocolVersion: "1",
            pid: 1,
            uptimeSeconds: 5,
            socketPath: "/s",
            configPath: nil,
            providers: [],
            defaultProvider: "auto",
            activeStreams: 0,
            activeConnections: 0,
            totals: Totals(),
            lastReload: nil
        )
        status.pools = [PoolStatus(name: "chat", configured: true, strategy: "weighted", members: members)]
        status.retryBudget = RetryBudgetStatus(requests: 50, retries: 4, available: 6)
        status.streamBuffers = StreamBufferStatus(
            bufferedBytes: 300 * 1024,
            budgetBytes: 64 << 20,
            peakBufferedBytes: 3 << 20,
            activeTransfers: 9,
            pausedTransfers: 2,
            budgetHeldTransfers: 0,
            pausedTimeouts: 1
        )
        let text = StatusView(status).render()
        #expect(
            text.contains(
                "buffers:   300 KiB held for slow clients (budget 64.0 MiB, peak 3.0 MiB); 2 paused, 1 ended for not reading"
            ),
            "\(text)"
        )
        #expect(text.contains("pool chat (weighted):"), "\(text)")
        #expect(text.contains("retry budget: 4 retries for 50 requests in the window, 6 available"), "\(text)")
        let openAILine = text.split(separator: "\n").first { $0.contains("openai/gpt-4o-mini") }.map(String.init) ?? ""
        for part in ["healthy", "closed", "412 ms", "1.5%", "61.2", "40", "rate_limited"] {
            #expect(openAILine.contains(part), "\(part) missing in \(openAILine)")
        }
        #expect(text.contains("UNHEALTHY"), "\(text)")
        #expect(text.contains("open 12s left (2 trips)"), "\(text)")
        #expect(text.contains("anthropic/haiku: model listing: upstream_auth (HTTP 401)"), "\(text)")
    }

    @Test func noticesReadAsOneLineEach() {
        #expect(
            NoticeText.describe(Notice(kind: "retry", attempt: 2, waitMs: 250, reason: "overloaded", from: "a/m"))
                == "[neurolink] retrying a/m (overloaded): attempt 2 in 250 ms"
        )
        #expect(
            NoticeText.describe(
                Notice(kind: "failover", attempt: 2, waitMs: 0, reason: "server", from: "a/m", to: "b/m")
            )
                == "[neurolink] failing over from a/m to b/m (server)"
        )
        #expect(
            NoticeText.describe(Notice(kind: "queued", waitMs: 1200, position: 3))
                == "[neurolink] queued at position 3, about 1200 ms"
        )
    }
}
