import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Absurd numbers from upstreams (rate-limit headers, usage counts, retry hints) never bring the
/// daemon down: they are clamped, `status` and `nlctl limits` keep answering, and the next request
/// is served (or refused with a bounded wait where the provider asked for a pause).
@Suite struct NumbersFromOutsideTests {
    /// The longest pause a provider's hint can cause: one day.
    static let maxHintMs = 86_400_000

    @Test func anAbsurdResetHeaderIsClampedAndLimitsKeepAnswering() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            let absurd = [
                HTTPField("x-ratelimit-limit-requests", "100"), HTTPField("x-ratelimit-remaining-requests", "0"),
                HTTPField("x-ratelimit-reset-requests", "999999999999999h"),
                HTTPField("x-ratelimit-limit-tokens", "99999999999999999999999"),
                HTTPField("x-ratelimit-remaining-tokens", "-5"),
                HTTPField("x-ratelimit-reset-tokens", "1e308s"),
            ]
            upstreams["a"].register(model: "m", .stream(OpenAIStream(pieces: ["ok"], headers: absurd)))
            let config = upstreams.config("rate_limits:\n  queue: { strategy: reject }")
            try await DaemonProcess.withClient(config: config) { daemon, client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                try await expectLimitsAnswer(client, daemon)
                let limits = try #require(try await client.status().limits)
                let reported = try #require(limits.providers.first { $0.provider == "a" })
                #expect(reported.pacing == "paused")
                #expect((reported.pausedForMs ?? 0) > 0 && (reported.pausedForMs ?? .max) <= Self.maxHintMs)
                let requests = reported.reported.first { $0.dimension == "requests" }
                #expect((requests?.resetInMs ?? .max) <= Self.maxHintMs)
                // The provider asked for a pause: a request to it is refused with a bounded wait.
                let paused = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(paused.error?.type == .rateLimited)
                #expect(
                    (paused.error?.data.retryAfterMs ?? .max) <= Self.maxHintMs,
                    "\(String(describing: paused.error))"
                )
                // Everything else goes on.
                #expect(
                    try await client.generate(StreamRequest(prompt: "x", provider: "b")).text
                        == "Hello from loopback"
                )
            }
        }
    }

    @Test func usageNearIntMaxTwiceSaturatesTheTotals() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            let huge = OpenAIStream(pieces: ["ok"], usage: (prompt: Int.max - 1, completion: Int.max))
            upstreams["a"].register(model: "m", .stream(huge))
            try await DaemonProcess.withClient(config: upstreams.config("")) { daemon, client in
                for _ in 0..<2 {
                    let result = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                    // Clamped to the largest count every JSON reader holds exactly.
                    #expect(result.usage?.inputTokens == Usage.maxTokens)
                    #expect(result.usage?.totalTokens == Usage.maxTokens)
                }
                let totals = try await client.status().totals
                #expect(totals.inputTokens == Usage.maxTokens)
                #expect(totals.outputTokens == Usage.maxTokens)
                try await expectLimitsAnswer(client, daemon)
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "b"))
            }
        }
    }

    @Test func usageNearIntMaxUnderATokenLimitIsChargedWithoutOverflow() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", .stream(OpenAIStream(pieces: ["ok"], usage: (Int.max - 1, 5))))
            let limits = """
                rate_limits:
                  queue: { strategy: reject }
                  providers:
                    a: { tokens_per_minute: 1 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(limits)) { daemon, client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                try await expectLimitsAnswer(client, daemon)
                // The provider's absurd report put `a` deep into debt: refused, not crashed.
                let next = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(next.error?.type == .rateLimited, "\(String(describing: next.error))")
                // Debt of 2⁴⁰ tokens at one per minute: a wait beyond 2⁵³ ms, reported as 2⁵³ − 1.
                #expect(next.error?.data.retryAfterMs == Usage.maxTokens)
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "b"))
            }
        }
    }

    @Test func usageCountsBeyondIntOrBelowZeroAreClamped() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            let body = [
                #"{"choices":[{"delta":{"content":"ok"}}]}"#,
                #"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#,
                #"{"choices":[],"usage":{"prompt_tokens":1e30,"completion_tokens":-3.5,"total_tokens":-9223372036854775808}}"#,
                "[DONE]",
            ].map { "data: \($0)\n\n" }.joined()
            upstreams["a"].register(model: "m", .raw(pieces: [Array(body.utf8)], delay: .zero))
            try await DaemonProcess.withClient(config: upstreams.config("")) { daemon, client in
                for _ in 0..<2 {
                    let result = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                    #expect(result.text == "ok")
                    #expect(result.usage == Usage(inputTokens: Int.max, outputTokens: 0, totalTokens: 0))
                }
                try await expectLimitsAnswer(client, daemon)
            }
        }
    }

    @Test func absurdRetryHintsAreCappedAtADay() async throws {
        let hints: [[HTTPField]] = [
            [HTTPField("retry-after", "1e300")],
            [HTTPField("retry-after", "99999999999999999999999999")],
            [HTTPField("retry-after-ms", "-5"), HTTPField("retry-after", "nan")],
            [HTTPField("retry-after", "inf")],
        ]
        for headers in hints {
            try await Upstreams.with(["a", "b"]) { upstreams in
                upstreams["a"].register(model: "m", .status(429, headers))
                let config = upstreams.config(
                    "rate_limits:\n  queue: { strategy: reject }",
                    routing: "  max_attempts: 1"
                )
                try await DaemonProcess.withClient(config: config) { daemon, client in
                    let limited = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                    #expect(limited.error?.type == .rateLimited, "\(headers)")
                    let wait = limited.error?.data.retryAfterMs
                    #expect(
                        wait == nil || (0...Self.maxHintMs).contains(wait ?? -1),
                        "\(headers): \(String(describing: wait))"
                    )
                    try await expectLimitsAnswer(client, daemon)
                    let paused = try #require(
                        try await client.status().limits?.providers.first { $0.provider == "a" }
                    )
                    #expect((paused.pausedForMs ?? 0) <= Self.maxHintMs, "\(headers)")
                    _ = try await client.generate(StreamRequest(prompt: "x", provider: "b"))
                }
            }
        }
    }

    @Test func absurdAnthropicRateLimitHeadersAreClamped() async throws {
        try await LoopbackUpstream.with { upstream in
            let renderer = AnthropicRenderer()
            let headers = [
                HTTPField("anthropic-ratelimit-requests-limit", "9223372036854775807"),
                HTTPField("anthropic-ratelimit-requests-remaining", "0"),
                HTTPField("anthropic-ratelimit-requests-reset", "9999-12-31T23:59:59Z"),
                HTTPField("anthropic-ratelimit-tokens-remaining", "-1"),
                HTTPField("anthropic-ratelimit-tokens-reset", "0000-01-01T00:00:00Z"),
                HTTPField("anthropic-ratelimit-input-tokens-limit", "1e400"),
                HTTPField(
                    "anthropic-ratelimit-output-tokens-reset",
                    "2025-01-01T00:00:00.99999999999999999999999+23:59"
                ),
            ]
            let script = WireScript(pieces: ["ok"], usage: (Int.max, Int.max))
            upstream.setDefault(.rawWithHeaders(pieces: [renderer.renderBytes(script, model: "m")], headers: headers))
            let config = ProviderConformanceTests.config(renderer, upstream: upstream)
            let environment = renderer.environment.merging(["TEST_AZURE_KEY": "azure-key"]) { $1 }
            try await DaemonProcess.withClient(config: config, environment: environment) { daemon, client in
                let result = try await client.generate(StreamRequest(prompt: "x"))
                #expect(result.usage?.inputTokens == Usage.maxTokens)
                try await expectLimitsAnswer(client, daemon)
                let reported = try #require(
                    try await client.status().limits?.providers.first { $0.provider == "p" }
                )
                #expect(reported.pacing == "paused")
                #expect((reported.pausedForMs ?? .max) <= Self.maxHintMs)
            }
        }
    }

    /// Every provider type that reports usage: counts at the extremes, twice (the totals would
    /// overflow on the second answer), then the daemon still answers.
    @Test(arguments: ProviderConformanceTests.renderers.map { $0 as any WireRenderer })
    func extremeUsageOfEveryProviderType(_ renderer: any WireRenderer) async throws {
        try await LoopbackUpstream.with { upstream in
            let cases: [(input: Int, output: Int, expected: Usage)] = [
                (Int.max, Int.max, Usage(inputTokens: Int.max, outputTokens: Int.max)),
                (-5, Int.min, Usage(inputTokens: 0, outputTokens: 0)),
            ]
            let config = ProviderConformanceTests.config(renderer, upstream: upstream)
            let environment = renderer.environment.merging(["TEST_AZURE_KEY": "azure-key"]) { $1 }
            try await DaemonProcess.withClient(config: config, environment: environment) { daemon, client in
                for (input, output, expected) in cases {
                    let script = WireScript(pieces: ["ok"], usage: (input, output))
                    upstream.setDefault(.raw(pieces: [renderer.renderBytes(script, model: "m")], delay: .zero))
                    for _ in 0..<2 {
                        let result = try await client.generate(StreamRequest(prompt: "x"))
                        #expect(result.text == "ok", "\(renderer.providerType)")
                        let usage = result.usage.map {
                            Usage(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)
                        }
                        #expect(usage == expected, "\(renderer.providerType) \(input) \(output)")
                    }
                }
                let totals = try await client.status().totals
                #expect(totals.inputTokens == Usage.maxTokens, "\(renderer.providerType)")
                #expect(totals.outputTokens == Usage.maxTokens, "\(renderer.providerType)")
                try await expectLimitsAnswer(client, daemon)
            }
        }
    }

    /// `status` (with its limits) and `nlctl limits` both answer.
    private func expectLimitsAnswer(_ client: NeuroLinkClient, _ daemon: DaemonProcess) async throws {
        #expect(try await client.health().status == "ok")
        #expect(try await client.status().limits != nil)
        for format in [["--json"], []] {
            let nlctl = try await runTool(
                DaemonProcess.binary("nlctl"),
                ["--socket", daemon.socketPath, "limits"] + format
            )
            #expect(nlctl.status == 0, "\(nlctl.stderr)")
        }
        #expect(daemon.process.isRunning)
    }
}
