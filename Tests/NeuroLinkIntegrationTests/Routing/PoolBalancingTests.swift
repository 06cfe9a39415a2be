import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Strategies, breakers and health checks through the real daemon.
@Suite struct PoolBalancingTests {
    @Test func weightedDistributionFollowsTheWeights() async throws {
        try await Upstreams.with(["a", "b", "c"]) { upstreams in
            let pools = """
                pools:
                  - name: main
                    strategy: weighted
                    members:
                      - { provider: a, weight: 5 }
                      - { provider: b, weight: 3 }
                      - { provider: c, weight: 2 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                for _ in 0..<300 { _ = try await client.generate(StreamRequest(prompt: "x", provider: "main")) }
            }
            let counts = ["a", "b", "c"].map { Double(upstreams.chatRequests($0)) }
            #expect(abs(counts[0] - 150) <= 9, "\(counts)")
            #expect(abs(counts[1] - 90) <= 9, "\(counts)")
            #expect(abs(counts[2] - 60) <= 9, "\(counts)")
        }
    }

    @Test func roundRobinRotates() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            let pools = """
                pools:
                  - name: main
                    strategy: round_robin
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                var providers: [String] = []
                for _ in 0..<6 {
                    providers.append(
                        try await client.generate(StreamRequest(prompt: "x", provider: "main")).provider
                    )
                }
                #expect(Set(providers[0..<2]) == ["a", "b"])
                #expect(zip(providers, providers.dropFirst()).allSatisfy { $0 != $1 }, "\(providers)")
            }
        }
    }

    @Test func leastLatencyConvergesOnTheFastestMember() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                .stream(OpenAIStream(pieces: ["slow"], delay: .zero, firstDelay: .milliseconds(120)))
            )
            upstreams["b"].register(
                model: "m",
                .stream(OpenAIStream(pieces: ["fast"], delay: .zero, firstDelay: .milliseconds(5)))
            )
            let pools = """
                pools:
                  - name: main
                    strategy: least_latency
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                var last: [String] = []
                for index in 0..<16 {
                    let provider = try await client.generate(StreamRequest(prompt: "x", provider: "main")).provider
                    if index >= 6 { last.append(provider) }
                }
                #expect(last.allSatisfy { $0 == "b" }, "\(last)")
            }
        }
    }

    @Test func requiredCapabilitiesSkipMembersAndSayWhy() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            let pools = """
                pools:
                  - name: main
                    members:
                      - { provider: a, specializations: [speed] }
                      - { provider: b, specializations: [function_calling, speed] }
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                var request = StreamRequest(prompt: "x", provider: "main")
                request.requiredCapabilities = ["function_calling"]
                let result = try await client.generate(request)
                #expect(result.provider == "b")
                let skipped = try #require(result.route?.skipped.first)
                #expect(skipped.provider == "a/m")
                #expect(skipped.reason.contains("function_calling"))
            }
        }
    }

    @Test func breakerOpensThenHalfOpensThenCloses() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", .status(503))
            let routing = """
                  breaker:
                    consecutive_failures: 2
                    open_ms: 2500
                    max_open_ms: 2500
                    half_open_probes: 1
                """
            let pools = """
                pools:
                  - name: main
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools, routing: routing)) { _, client in
                func member() async throws -> PoolMemberStatus? {
                    try await client.status().pools?.first { $0.name == "main" }?.members.first {
                        $0.member == "a/m"
                    }
                }
                for _ in 0..<2 { _ = try await client.generate(StreamRequest(prompt: "x", provider: "main")) }
                #expect(try await member()?.breaker == "open")
                #expect(try await member()?.breakerTrips == 1)
                // While open, a is skipped: requests go straight to b.
                let before = upstreams.chatRequests("a")
                let skipping = try await client.generate(StreamRequest(prompt: "x", provider: "main"))
                #expect(skipping.provider == "b")
                #expect(
                    skipping.route?.skipped.contains { $0.provider == "a/m" && $0.reason.contains("circuit open") }
                        == true
                )
                #expect(upstreams.chatRequests("a") == before)
                // After the cool-down one probe goes to a; it succeeds and closes the breaker.
                upstreams["a"].register(model: "m", .text(["back"]))
                try await Task.sleep(for: .milliseconds(2600))
                let probe = try await client.generate(StreamRequest(prompt: "x", provider: "main"))
                #expect(probe.provider == "a")
                #expect(try await member()?.breaker == "closed")
            }
        }
    }

    @Test func a429WithRetryAfterOpensTheBreakerForExactlyThatLong() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                sequence: [.status(429, [HTTPField("retry-after", "30")]), .text(["a again"])]
            )
            let pools = """
                pools:
                  - name: main
                    members: [{ provider: a }, { provider: b }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools)) { _, client in
                let first = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(first.result?.provider == "b")
                #expect(first.notices.first?.reason == "rate_limited")
                let member = try await client.status().pools?.first?.members.first { $0.member == "a/m" }
                #expect(member?.breaker == "open")
                let left = member?.breakerOpenForMs ?? 0
                // Exactly the retry-after (30 s) from the 429, minus the time since (generous: the suite is busy).
                #expect(left > 20_000 && left <= 30_000, "open for \(left) ms")
                let second = try await client.generate(StreamRequest(prompt: "x", provider: "main"))
                #expect(second.provider == "b")
                #expect(upstreams.chatRequests("a") == 1)
            }
        }
    }

    @Test func theLastHealthyMemberIsNeverEjected() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .status(503))
            let routing = """
                  max_attempts: 1
                  breaker:
                    consecutive_failures: 1
                """
            let pools = """
                pools:
                  - name: main
                    members: [{ provider: a }]
                """
            try await DaemonProcess.withClient(config: upstreams.config(pools, routing: routing)) { _, client in
                for _ in 0..<5 { _ = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main")) }
                #expect(upstreams.chatRequests("a") == 5, "every request must still reach the only member")
                let member = try await client.status().pools?.first?.members.first
                #expect(member?.breaker == "closed")
                #expect(member?.failures == 5)
            }
        }
    }

    @Test func activeHealthChecksMarkAMemberUnhealthyAndRoutingSkipsIt() async throws {
        try await Upstreams.with(["b"]) { upstreams in
            // `dead` points at a port nothing listens on: its model listing fails.
            let dead = """
                  - name: dead
                    type: openai-compatible
                    base_url: http://127.0.0.1:9/v1
                    default_model: m
                """
            let healthCheck = """
                  health_check:
                    interval_ms: 100
                    timeout_ms: 500
                    unhealthy_threshold: 2
                """
            let pools = """
                pools:
                  - name: main
                    members: [{ provider: dead }, { provider: b }]
                """
            let config = upstreams.config(pools, extraProviders: dead, healthCheck: healthCheck)
            try await DaemonProcess.withClient(config: config) { _, client in
                var healthy: Bool? = true
                for _ in 0..<50 where healthy != false {
                    try await Task.sleep(for: .milliseconds(100))
                    healthy = try await client.status().pools?.first?.members.first?.healthy
                }
                #expect(healthy == false)
                let outcome = try await streamOnce(client, StreamRequest(prompt: "x", provider: "main"))
                #expect(outcome.result?.provider == "b")
                #expect(outcome.notices.isEmpty, "an unhealthy member is skipped, not tried")
                #expect(
                    outcome.result?.route?.skipped.contains {
                        $0.provider == "dead/m" && $0.reason.contains("unhealthy")
                    } == true
                )
            }
        }
    }
}
