import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Rate limits and the admission queue through the real daemon.
@Suite struct AdmissionTests {
    @Test func rejectStrategyAnswersRateLimitedWithRetryAfter() async throws {
        let upstreams = try await Upstreams.start(["a"])
        defer { Task { await upstreams.shutdown() } }
        let limits = """
            rate_limits:
              global: { requests_per_minute: 1, burst: 0 }
            """
        try await DaemonProcess.with(config: upstreams.config(limits)) { daemon in
            try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                let second = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(second.error?.type == .rateLimited)
                let retryAfter = second.error?.data.retryAfterMs ?? 0
                #expect(retryAfter > 30_000 && retryAfter <= 60_000, "\(retryAfter)")
                #expect(second.error?.message.contains("global") == true, "\(second.error?.message ?? "")")
                #expect(upstreams.chatRequests("a") == 1)
            }
        }
    }

    @Test func queuedRequestsWaitWithANoticeAndRunInTurn() async throws {
        let upstreams = try await Upstreams.start(["a"])
        defer { Task { await upstreams.shutdown() } }
        upstreams["a"].register(model: "m", .text(["slow", " answer"], delay: .milliseconds(600)))
        let limits = """
            rate_limits:
              global: { max_in_flight: 1 }
              queue: { strategy: queue, max_queue_size: 1, max_queue_wait_ms: 20000 }
            """
        try await DaemonProcess.with(config: upstreams.config(limits)) { daemon in
            try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                let first = Task { try await streamOnce(client, StreamRequest(prompt: "1", provider: "a")) }
                try await waitUntil { upstreams.chatRequests("a") == 1 }
                // The second request is queued: its first chunk is the `queued` notice.
                var second = client.streamEvents(StreamRequest(prompt: "2", provider: "a")).makeAsyncIterator()
                guard case .chunk(let notice)? = try await second.next() else {
                    Issue.record("the queued request sent nothing")
                    return
                }
                #expect(notice.type == .notice)
                #expect(notice.notice?.kind == "queued")
                #expect(notice.notice?.position == 1)
                // The queue holds one: a third request is refused at once.
                let third = try await streamOnce(client, StreamRequest(prompt: "3", provider: "a"))
                #expect(third.error?.type == .overloaded)
                #expect(third.error?.code == -32013)
                var text = ""
                while let event = try await second.next() {
                    if case .chunk(let chunk) = event, chunk.type == .text { text += chunk.content ?? "" }
                }
                #expect(text == "slow answer")
                #expect(try await first.value.text == "slow answer")
                let requests = upstreams["a"].requests()
                #expect(requests.count == 2)
                if requests.count == 2, let firstDone = requests[0].completedAt {
                    #expect(requests[1].receivedAt >= firstDone, "the queued request must start after the first ended")
                }
            }
        }
    }

    @Test func aQueuedRequestTimesOutAndACancelledOneLeavesAtOnce() async throws {
        let upstreams = try await Upstreams.start(["a"])
        defer { Task { await upstreams.shutdown() } }
        upstreams["a"].register(model: "m", .text(["x"], delay: .seconds(2)))
        let limits = """
            rate_limits:
              global: { max_in_flight: 1 }
              queue: { strategy: queue, max_queue_size: 1, max_queue_wait_ms: 300 }
            """
        try await DaemonProcess.with(config: upstreams.config(limits)) { daemon in
            try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                let running = Task { try await streamOnce(client, StreamRequest(prompt: "1", provider: "a")) }
                try await waitUntil { upstreams.chatRequests("a") == 1 }
                let started = ContinuousClock.now
                let timedOut = try await streamOnce(client, StreamRequest(prompt: "2", provider: "a"))
                #expect(timedOut.error?.type == .rateLimited)
                #expect(ContinuousClock.now - started >= .milliseconds(280))
                // A queued request whose client cancels frees its place at once.
                let cancelled = Task { try await streamOnce(client, StreamRequest(prompt: "3", provider: "a")) }
                try await Task.sleep(for: .milliseconds(100))
                cancelled.cancel()
                _ = try? await cancelled.value
                try await Task.sleep(for: .milliseconds(50))
                let next = try await streamOnce(client, StreamRequest(prompt: "4", provider: "a", timeoutMs: 100))
                #expect(next.error?.type != .overloaded, "the cancelled request must have left the queue")
                running.cancel()
                #expect(upstreams.chatRequests("a") == 1)
            }
        }
    }

    @Test func aProviderReportingNothingLeftSlowsAdmissionBeforeAny429() async throws {
        let upstreams = try await Upstreams.start(["a"])
        defer { Task { await upstreams.shutdown() } }
        let exhausted = [HTTPField("x-ratelimit-limit-requests", "100"), HTTPField("x-ratelimit-remaining-requests", "0"),
                         HTTPField("x-ratelimit-reset-requests", "60s")]
        upstreams["a"].register(model: "m", .stream(OpenAIStream(pieces: ["ok"], headers: exhausted)))
        let limits = """
            rate_limits:
              queue: { strategy: reject }
            """
        try await DaemonProcess.with(config: upstreams.config(limits)) { daemon in
            try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                let second = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(second.error?.type == .rateLimited)
                #expect((second.error?.data.retryAfterMs ?? 0) > 30_000, "\(String(describing: second.error))")
                #expect(upstreams.chatRequests("a") == 1, "the provider must not be asked again before its reset")
            }
        }
    }

    @Test func limitedMembersAreSkippedInFavourOfOthers() async throws {
        let upstreams = try await Upstreams.start(["a", "b"])
        defer { Task { await upstreams.shutdown() } }
        let config = upstreams.config("""
            pools:
              - name: main
                members: [{ provider: a }, { provider: b }]
            rate_limits:
              providers:
                a: { requests_per_minute: 1, burst: 0 }
            """)
        try await DaemonProcess.with(config: config) { daemon in
            try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                var providers: [String] = []
                for _ in 0..<3 { providers.append(try await client.generate(StreamRequest(prompt: "x", provider: "main")).provider) }
                #expect(providers == ["a", "b", "b"])
            }
        }
    }
}

/// Polls `condition` every 10 ms until it holds, for at most `timeout`.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
