import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// An alert fires and resolves against a failing loopback upstream; the webhook gets both.
@Suite struct AlertsTests {
    @Test func anErrorRateAlertFiresAndResolvesAndTheWebhookHearsBoth() async throws {
        try await Upstreams.with(["a", "hooks"]) { upstreams in
            upstreams["a"].register(model: "m", .status(400))
            let alerts = """
                alerts:
                  interval_ms: 100
                  webhook: { url: "\(upstreams["hooks"].baseURL.replacingOccurrences(of: "/v1", with: ""))/webhook" }
                  rules:
                    - { name: upstream-failing, metric: error_rate, threshold: 0.5, window_ms: 1500, severity: critical }
                    - { name: queue-long, metric: queue_size, threshold: 100 }
                """
            try await DaemonProcess.withClient(config: upstreams.config(alerts)) { daemon, client in
                for _ in 0..<3 { _ = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a")) }
                try await waitUntil { try await client.alerts().first?.state == "firing" }
                let status = try await client.status()
                #expect(status.alerts?.map(\.state) == ["firing", "ok"])
                let line = try await runTool(DaemonProcess.binary("nlctl"), ["alerts", "--socket", daemon.socketPath])
                #expect(line.stdout.contains("upstream-failing") && line.stdout.contains("FIRING"), "\(line.stdout)")
                // No failures within the window: it resolves.
                try await waitUntil(timeout: .seconds(10)) { try await client.alerts().first?.state == "ok" }
                let deliveries = { upstreams["hooks"].requests().filter { $0.path.hasSuffix("/webhook") } }
                try await waitUntil { deliveries().count == 2 }
                let bodies = deliveries().compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]
                }
                #expect(bodies.compactMap { $0["state"] as? String } == ["firing", "resolved"])
                #expect(
                    bodies.allSatisfy {
                        $0["alert"] as? String == "upstream-failing" && $0["severity"] as? String == "critical"
                    }
                )
                #expect((bodies.first?["value"] as? Double) == 1)
                let metrics = try await client.metrics()
                #expect(
                    sample(metrics, #"neurolink_alert_transitions_total{alert="upstream-failing",state="firing"}"#) == 1
                )
                #expect(
                    sample(metrics, #"neurolink_alert_transitions_total{alert="upstream-failing",state="resolved"}"#)
                        == 1
                )
                #expect(daemon.log.contains("alert firing") && daemon.log.contains("alert resolved"))
            }
        }
    }

    @Test func aLowCacheHitRateFires() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["x"]))
            let config = upstreams.config(
                """
                alerts:
                  interval_ms: 100
                  rules:
                    - { name: cold-cache, metric: cache_hit_rate, threshold: 0.5, condition: below, window_ms: 60000 }
                """
            )
            try await DaemonProcess.withClient(config: config) { _, client in
                for index in 0..<3 {
                    _ = try await client.generate(StreamRequest(prompt: "new \(index)", provider: "a", temperature: 0))
                }
                try await waitUntil { try await client.alerts().first?.state == "firing" }
                #expect(try await client.alerts().first?.value == 0)
            }
        }
    }
}
