import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Retries and failover through the real daemon against fault-injected loopback upstreams.
@Suite struct RetryFailoverTests {
    @Test func transientFailuresAreRetriedWithNoticesUntilTheyClear() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", sequence: [.status(503), .status(500), .text(["fine"])])
            try await DaemonProcess.withClient(config: upstreams.config("")) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(outcome.error == nil, "\(String(describing: outcome.error))")
                #expect(outcome.text == "fine")
                #expect(outcome.notices.map(\.kind) == ["retry", "retry"])
                #expect(outcome.notices.map(\.attempt) == [2, 3])
                #expect(outcome.notices.map(\.reason) == ["overloaded", "server"])
                #expect(outcome.result?.route?.attempts?.map(\.outcome) == ["overloaded", "server", "ok"])
                #expect(upstreams.chatRequests("a") == 3)
            }
        }
    }

    @Test func retryAfterIsTheMinimumWait() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                sequence: [.status(429, [HTTPField("retry-after-ms", "400")]), .text(["ok"])]
            )
            try await DaemonProcess.withClient(config: upstreams.config("")) { _, client in
                let started = ContinuousClock.now
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                let elapsed = ContinuousClock.now - started
                #expect(outcome.text == "ok")
                #expect((outcome.notices.first?.waitMs ?? 0) >= 400)
                #expect(elapsed >= .milliseconds(400))
                let requests = upstreams["a"].requests()
                #expect(requests.count == 2)
                if requests.count == 2 {
                    #expect(requests[1].receivedAt - requests[0].receivedAt >= .milliseconds(400))
                }
            }
        }
    }

    static let permanent: [(String, Scenario, FailureClass)] = [
        ("401", .status(401), .auth),
        ("400", .status(400), .invalidRequest),
        (
            "quota",
            .openAIError(
                status: 429,
                message: "You exceeded your current quota",
                type: "insufficient_quota",
                code: "insufficient_quota"
            ),
            .quotaExhausted
        ),
    ]

    @Test(arguments: 0..<3)
    func nonTransientFailuresAreNeverRetriedNorFailedOver(_ index: Int) async throws {
        let (name, scenario, failureClass) = Self.permanent[index]
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", scenario)
            let pools = """
                pools:
                  - name: main
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(outcome.error?.data.failureClass == failureClass, "\(name)")
                #expect(outcome.notices.isEmpty, "\(name)")
                #expect(upstreams.chatRequests("a") == 1, "\(name)")
                #expect(upstreams.chatRequests("b") == 0, "\(name)")
            }
        }
    }

    @Test func priorityPoolFailsOverInOrderWithANotice() async throws {
        try await Upstreams.with(["a", "b", "c"]) { upstreams in
            upstreams["a"].register(model: "m", .status(503))
            upstreams["b"].register(model: "m", .status(500))
            upstreams["c"].register(model: "m", .text(["from c"]))
            let pools = """
                pools:
                  - name: main
                    strategy: priority
                    members:
                      - { provider: c, priority: 2 }
                      - { provider: a, priority: 0 }
                      - { provider: b, priority: 1 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(outcome.text == "from c")
                #expect(outcome.notices.map(\.kind) == ["failover", "failover"])
                #expect(outcome.notices.map(\.from) == ["a/m", "b/m"])
                #expect(outcome.notices.map(\.to) == ["b/m", "c/m"])
                #expect(outcome.result?.route?.pool == "main")
                #expect(outcome.result?.route?.member == "c/m")
                #expect(outcome.result?.provider == "c")
            }
        }
    }

    @Test func failoverModesLimitWhereAFailureMayGo() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", .status(503))
            upstreams["b"].register(model: "m", .text(["b"]))
            // a → b is an endpoint switch (same type, same model); only model switches are allowed.
            let pools = """
                pools:
                  - name: main
                    failover: [model_switch]
                    max_attempts: 2
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(outcome.error?.type == .upstreamError)
                #expect(outcome.notices.map(\.kind) == ["retry"])
                #expect(upstreams.chatRequests("a") == 2)
                #expect(upstreams.chatRequests("b") == 0)
            }
        }
    }

    @Test func midStreamFailureEndsWithTerminalErrorAndPartialUsage() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                .stream(OpenAIStream(pieces: ["one", " two", " three"], ending: .dropAfter(pieces: 2)))
            )
            let pools = """
                pools:
                  - name: main
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(outcome.text == "one two")
                #expect(outcome.error?.type == .upstreamError)
                #expect(outcome.error?.data.usage?.outputTokens == 2)
                #expect(outcome.error?.data.failureClass == .network)
                #expect(!outcome.chunks.contains { $0.type == .finish })
                #expect(outcome.notices.isEmpty)
                #expect(upstreams.chatRequests("b") == 0, "a half-delivered answer must never be spliced silently")
            }
        }
    }

    @Test(arguments: [["ld", " peace."], ["Hello wor", "ld", " peace."], ["Hello world", " peace."]])
    func continueOnFailureDeliversExactlyTheUpstreamText(_ continuation: [String]) async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                .stream(OpenAIStream(pieces: ["Hello", " wor", "XX"], ending: .dropAfter(pieces: 2)))
            )
            // b continues after the delivered text, or (second and third case) starts the answer over.
            upstreams["b"].register(model: "m", .text(continuation))
            let pools = """
                pools:
                  - name: main
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                var request = StreamRequest(prompt: "x", provider: "main")
                request.continueOnFailure = true
                let outcome = try await streamOnce(client, request)
                #expect(outcome.error == nil, "\(String(describing: outcome.error))")
                #expect(outcome.text == "Hello world peace.")
                #expect(outcome.result?.text == "Hello world peace.")
                #expect(outcome.notices.map(\.kind) == ["failover"])
                #expect(outcome.notices.first?.to == "b/m")
                let body = try #require(upstreams["b"].requests().last?.body)
                let sent = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
                let messages = try #require(sent["messages"] as? [[String: Any]])
                #expect(messages.last?["role"] as? String == "assistant")
                #expect(messages.last?["content"] as? String == "Hello wor")
            }
        }
    }

    @Test func contextLengthFailsOverOnlyToALargerWindow() async throws {
        try await Upstreams.with(["a", "b", "c"]) { upstreams in
            let tooLong = Scenario.openAIError(
                status: 400,
                message: "This model's maximum context length is 8192 tokens",
                type: "invalid_request_error",
                code: "context_length_exceeded"
            )
            upstreams["a"].register(model: "m", tooLong)
            upstreams["b"].register(model: "m", .text(["small"]))
            upstreams["c"].register(model: "m", .text(["large"]))
            let pools = """
                pools:
                  - name: main
                    members:
                      - { provider: a, context_window: 8192 }
                      - { provider: b, context_window: 4096 }
                      - { provider: c, context_window: 128000 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(outcome.text == "large")
                #expect(outcome.notices.first?.reason == "context_length")
                #expect(upstreams.chatRequests("b") == 0)
            }
        }
    }

    @Test func aMembersOwnTimeoutCountsAsItsFailure() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", .stall)
            upstreams["b"].register(model: "m", .text(["b"]))
            let pools = """
                pools:
                  - name: main
                    members:
                      - { provider: a, timeouts: { first_chunk_ms: 200 } }
                      - { provider: b }
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(outcome.text == "b")
                #expect(outcome.notices.first?.reason == "timeout")
                let status = try await client.status()
                let member = status.pools?.first { $0.name == "main" }?.members.first { $0.member == "a/m" }
                #expect(member?.lastError == "timeout")
                #expect(member?.failures == 1)
            }
        }
    }

    @Test func aConnectionDroppedBeforeTheFirstChunkIsRetried() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                sequence: [.rawThenDrop(pieces: [], delay: .zero), .text(["after the drop"])]
            )
            try await DaemonProcess.withClient(config: upstreams.config("")) { _, client in
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(outcome.text == "after the drop")
                #expect(outcome.notices.map(\.reason) == ["network"])
            }
        }
    }

    @Test func aSlowDripPastTheIdleLimitEndsMidStreamOrContinuesElsewhere() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                .stream(OpenAIStream(pieces: ["drip ", "drop"], delay: .milliseconds(1500), firstDelay: .zero))
            )
            upstreams["b"].register(model: "m", .text(["drop"]))
            let pools = """
                pools:
                  - name: main
                    members:
                      - { provider: a, timeouts: { idle_ms: 300 } }
                      - { provider: b }
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                // Regression: the idle deadline must be armed once the first byte arrives, even while the
                // first-chunk deadline (60 s here) is far away.
                let ended = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(ended.text == "drip ")
                #expect(ended.error?.type == .timeout)
                #expect(ended.error?.data.timeout == "idle")
                #expect(ended.error?.data.usage?.outputTokens == 1)
                #expect(upstreams.chatRequests("b") == 0)

                var request = StreamRequest(prompt: "x", provider: "main")
                request.continueOnFailure = true
                let continued = try await streamOnce(client, request)
                #expect(continued.text == "drip drop")
                #expect(continued.notices.map(\.reason) == ["timeout"])
            }
        }
    }

    @Test func theRetryBudgetCapsAttemptsUnderAStorm() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .status(503))
            let routing = """
                  retry_budget:
                    ratio: 0
                    min_retries: 3
                    window_ms: 60000
                """
            try await DaemonProcess.withClient(config: upstreams.config("", routing: routing)) { _, client in
                for _ in 0..<20 {
                    let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                    #expect(outcome.error?.type == .upstreamError)
                }
                // 20 first attempts, and only the 3 retries the budget allows (not 20 × 2).
                #expect(upstreams.chatRequests("a") == 23)
            }
        }
    }
}
