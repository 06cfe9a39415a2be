import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Rate limits and the admission queue through the real daemon.
@Suite struct AdmissionTests {
    @Test func rejectStrategyAnswersRateLimitedWithRetryAfter() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            let limits = """
                rate_limits:
                  global: { requests_per_minute: 1, burst: 0 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(limits)) { _, client in
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
        try await Upstreams.with(["a"]) { upstreams in
            // The first request holds the only slot until the test lets it go.
            upstreams["a"].register(model: "m", sequence: [.stall, .text(["queued", " answer"])])
            let limits = """
                rate_limits:
                  global: { max_in_flight: 1 }
                  queue: { strategy: queue, max_queue_size: 1, max_queue_wait_ms: 30000 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(limits)) { _, client in
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
                #expect(upstreams.chatRequests("a") == 1, "nothing may reach the provider while the slot is taken")
                // Waiting is visible, and each denied request counts once (the queued one and the one
                // refused as overloaded), however often the queue tried the waiting one again.
                try await Task.sleep(for: .milliseconds(100))
                let limits = try #require(try await client.status().limits)
                #expect(limits.queue.depth == 1)
                #expect(limits.queue.oldestWaitMs != nil)
                let global = limits.scopes.first { $0.scope == "global" }
                #expect(global?.inFlight == 1)
                #expect(global?.rejections["concurrency"] == 2, "\(String(describing: global?.rejections))")
                // Ending the first request releases its slot: the queued one runs.
                first.cancel()
                var text = ""
                while let event = try await second.next() {
                    if case .chunk(let chunk) = event, chunk.type == .text { text += chunk.content ?? "" }
                }
                #expect(text == "queued answer")
                #expect(upstreams.chatRequests("a") == 2)
            }
        }
    }

    @Test func aQueuedRequestTimesOutAndACancelledOneLeavesAtOnce() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .stall)
            let limits = """
                rate_limits:
                  global: { max_in_flight: 1 }
                  queue: { strategy: queue, max_queue_size: 1, max_queue_wait_ms: 300 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(limits)) { _, client in
                let running = Task { try await streamOnce(client, StreamRequest(prompt: "1", provider: "a")) }
                try await waitUntil { upstreams.chatRequests("a") == 1 }
                let started = ContinuousClock.now
                let timedOut = try await streamOnce(client, StreamRequest(prompt: "2", provider: "a"))
                #expect(timedOut.error?.type == .rateLimited)
                #expect(timedOut.error?.message.contains("longer than its maximum wait") == true)
                #expect(ContinuousClock.now - started >= .milliseconds(280))
                // A queued request whose client cancels frees its place at once.
                let (notices, noticed) = AsyncStream.makeStream(of: Notice.self)
                let queued = Task {
                    for try await event in client.streamEvents(StreamRequest(prompt: "3", provider: "a")) {
                        if case .chunk(let chunk) = event, let notice = chunk.notice { noticed.yield(notice) }
                    }
                }
                var iterator = notices.makeAsyncIterator()
                #expect(await iterator.next()?.kind == "queued")
                queued.cancel()
                // The place is free again: the next request is queued, not refused as overloaded.
                var refusedAsFull = 0
                while refusedAsFull < 100 {
                    var next = client.streamEvents(StreamRequest(prompt: "4", provider: "a", timeoutMs: 60_000))
                        .makeAsyncIterator()
                    do {
                        guard case .chunk(let chunk)? = try await next.next() else { break }
                        #expect(chunk.notice?.kind == "queued")
                        break
                    } catch let error as RPCError where error.type == .overloaded {
                        refusedAsFull += 1
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                #expect(refusedAsFull < 100, "the cancelled request never left the queue")
                running.cancel()
                #expect(upstreams.chatRequests("a") == 1)
            }
        }
    }

    @Test func aProviderReportingNothingLeftSlowsAdmissionBeforeAny429() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            let exhausted = [
                HTTPField("x-ratelimit-limit-requests", "100"), HTTPField("x-ratelimit-remaining-requests", "0"),
                HTTPField("x-ratelimit-reset-requests", "60s"),
            ]
            upstreams["a"].register(model: "m", .stream(OpenAIStream(pieces: ["ok"], headers: exhausted)))
            let limits = """
                rate_limits:
                  queue: { strategy: reject }
                """
            try await DaemonProcess.withClient(config: upstreams.config(limits)) { _, client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                let second = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(second.error?.type == .rateLimited)
                #expect((second.error?.data.retryAfterMs ?? 0) > 30_000, "\(String(describing: second.error))")
                #expect(upstreams.chatRequests("a") == 1, "the provider must not be asked again before its reset")
            }
        }
    }

    @Test func limitedMembersAreSkippedInFavourOfOthers() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            let config = upstreams.config(
                """
                pools:
                  - name: main
                    members: [{ provider: a }, { provider: b }]
                rate_limits:
                  providers:
                    a: { requests_per_minute: 1, burst: 0 }
                """
            )
            try await DaemonProcess.withClient(config: config) { _, client in
                var providers: [String] = []
                for _ in 0..<3 {
                    providers.append(
                        try await client.generate(StreamRequest(prompt: "x", provider: "main")).provider
                    )
                }
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
