import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Metrics through the real daemon: the RPC and the `/metrics` listener, checked by `promtool`,
/// scraped by a real Prometheus, and pushed to a real Pushgateway.
@Suite struct MetricsTests {
    static func config(_ upstreams: Upstreams, metrics: String) -> String {
        upstreams.config("metrics:\n" + metrics)
    }

    /// Three answers and one failure through provider `a`.
    static func traffic(_ upstreams: Upstreams, _ client: NeuroLinkClient) async throws {
        upstreams["a"].register(model: "m", .text(["metered ", "answer"]))
        upstreams["a"].register(model: "bad", .status(400))
        for _ in 0..<3 { _ = try await client.generate(StreamRequest(prompt: "x", provider: "a")) }
        _ = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a", model: "bad"))
    }

    @Test func theListenerServesWhatPromtoolAcceptsWithTheFiguresOfTheRequests() async throws {
        let promtool = try requiredTool("/usr/bin/promtool", package: "prometheus")
        let port = try await unusedPort()
        try await Upstreams.with(["a"]) { upstreams in
            let config = Self.config(upstreams, metrics: "  listen: 127.0.0.1:\(port)")
            try await DaemonProcess.withClient(config: config) { _, client in
                try await Self.traffic(upstreams, client)
                // The start-up probe's connection (DaemonProcess) may still be closing under the parallel
                // suite's load: scrape until only the client's is open, for at most 5 s.
                var text = try await curl(["http://127.0.0.1:\(port)/metrics"])
                let deadline = ContinuousClock.now + .seconds(5)
                while sample(text, "neurolink_active_connections") != 1, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                    text = try await curl(["http://127.0.0.1:\(port)/metrics"])
                }
                let check = try await runTool(promtool, ["check", "metrics"], stdin: text)
                #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

                let labels = #"gen_ai_operation_name="chat",gen_ai_provider_name="a",gen_ai_request_model="m""#
                #expect(sample(text, #"neurolink_requests_total{outcome="success",provider="a"}"#) == 3, "\(text)")
                #expect(sample(text, #"neurolink_requests_total{outcome="error",provider="a"}"#) == 1)
                #expect(sample(text, "gen_ai_client_operation_duration_seconds_count{\(labels)}") == 3)
                #expect(
                    sample(
                        text,
                        "gen_ai_client_operation_duration_seconds_count{\(labels.replacingOccurrences(of: "\"m\"", with: "\"bad\"")),error_type=\"upstream_invalid_request\"}"
                    ) == 1
                )
                #expect(sample(text, "gen_ai_client_token_usage_count{\(labels),gen_ai_token_type=\"output\"}") == 3)
                #expect(sample(text, "neurolink_active_connections") == 1)
                #expect(sample(text, "neurolink_active_streams") == 0)

                // The RPC serves the same metrics; other paths and methods are refused.
                let viaRPC = try await client.metrics()
                #expect(sample(viaRPC, #"neurolink_requests_total{outcome="success",provider="a"}"#) == 3)
                let missing = try await runTool(
                    "/usr/bin/curl",
                    ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/other"]
                )
                #expect(missing.stdout == "404")
                let posted = try await runTool(
                    "/usr/bin/curl",
                    ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "http://127.0.0.1:\(port)/metrics"]
                )
                #expect(posted.stdout == "405")
            }
        }
    }

    @Test func aRealPrometheusScrapesTheDaemon() async throws {
        let tool = try requiredTool("/usr/bin/prometheus", package: "prometheus")
        let port = try await unusedPort()
        let prometheus = try await ExternalServer(tool) { directory, own in
            let config = directory.appendingPathComponent("prometheus.yml")
            try """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: neurolink
                static_configs: [{ targets: ["127.0.0.1:\(port)"] }]
            """.write(to: config, atomically: true, encoding: .utf8)
            return [
                "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.path)/data",
                "--web.listen-address=127.0.0.1:\(own)",
            ]
        }
        defer { prometheus.stop() }
        try await Upstreams.with(["a"]) { upstreams in
            let config = Self.config(upstreams, metrics: "  listen: 127.0.0.1:\(port)")
            try await DaemonProcess.withClient(config: config) { _, client in
                try await Self.traffic(upstreams, client)
                try await prometheus.waitUntilAnswering("/-/ready")
                let query = #"neurolink_requests_total{job="neurolink",outcome="success",provider="a"}"#
                var value: String?
                let deadline = ContinuousClock.now + .seconds(30)
                while value != "3", ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(300))
                    let body = try await curl([
                        "http://127.0.0.1:\(prometheus.port)/api/v1/query", "--data-urlencode", "query=\(query)",
                    ])
                    value = Self.firstValue(body)
                }
                #expect(value == "3", "Prometheus never read the counter:\n\(prometheus.log.suffix(2000))")
            }
        }
    }

    @Test func metricsArePushedToARealPushgateway() async throws {
        let tool = try requiredTool("/usr/bin/prometheus-pushgateway", package: "prometheus-pushgateway")
        let gateway = try await ExternalServer(tool) { _, own in ["--web.listen-address=127.0.0.1:\(own)"] }
        defer { gateway.stop() }
        try await gateway.waitUntilAnswering("/-/ready")
        try await Upstreams.with(["a"]) { upstreams in
            let metrics = """
                  pushgateway:
                    url: http://127.0.0.1:\(gateway.port)
                    interval_ms: 200
                    instance: test-host
                """
            try await DaemonProcess.withClient(config: Self.config(upstreams, metrics: metrics)) { _, client in
                try await Self.traffic(upstreams, client)
                let series =
                    #"neurolink_requests_total{instance="test-host",job="neurolink",outcome="success",provider="a"}"#
                var pushed: Double?
                let deadline = ContinuousClock.now + .seconds(20)
                while pushed != 3, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                    pushed = sample(try await curl(["http://127.0.0.1:\(gateway.port)/metrics"]), series)
                }
                #expect(pushed == 3, "the gateway never held the pushed counter:\n\(gateway.log.suffix(2000))")
            }
        }
    }

    /// `data.result[0].value[1]` of a Prometheus instant query.
    static func firstValue(_ body: String) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
            let value = result.first?["value"] as? [Any]
        else { return nil }
        return value.last as? String
    }
}

extension MetricsTests {
    /// The overhead histogram counts the daemon's own time only: not the upstream's 300 ms per
    /// answer, nor the 300 ms the second request waits in the admission queue.
    @Test func theOverheadHistogramLeavesOutUpstreamTimeAndQueueing() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["slow ", "answer"], delay: .milliseconds(150)))
            let config = upstreams.config(
                """
                rate_limits:
                  providers:
                    a: { max_in_flight: 1 }
                  queue: { strategy: queue }
                """
            )
            try await DaemonProcess.withClient(config: config) { _, client in
                async let first = client.generate(StreamRequest(prompt: "x", provider: "a"))
                async let second = client.generate(StreamRequest(prompt: "y", provider: "a"))
                _ = try await (first, second)
                let text = try await client.metrics()
                let labels = #"gen_ai_operation_name="chat",gen_ai_provider_name="a",gen_ai_request_model="m""#
                let total = try #require(sample(text, "gen_ai_client_operation_duration_seconds_sum{\(labels)}"))
                let overhead = try #require(sample(text, #"neurolink_daemon_overhead_seconds_sum{outcome="success"}"#))
                #expect(sample(text, #"neurolink_daemon_overhead_seconds_count{outcome="success"}"#) == 2)
                // 300 ms upstream each, and 300 ms queued for one of them.
                #expect(total >= 0.85, "\(text)")
                #expect(overhead < 0.2, "overhead \(overhead) s of \(total) s")
                // One of the two waited for the other's 300 ms.
                #expect(sample(text, "neurolink_queue_wait_seconds_count") == 1, "\(text)")
                let queued = try #require(sample(text, "neurolink_queue_wait_seconds_sum"))
                #expect(queued > 0.2 && queued < 1, "\(queued)")
            }
        }
    }
}
