import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The analytics store through the real daemon: a row for every outcome, reports that match what
/// the test saw, and nothing lost across SIGTERM (and no more than the flush interval across SIGKILL).
@Suite struct AnalyticsTests {
    static func config(_ upstreams: Upstreams) -> String {
        upstreams.config(
            """
            server:
              drain_timeout_ms: 300
            rate_limits:
              providers:
                b: { requests_per_minute: 1, burst: 0 }
            analytics:
              flush_interval_ms: 100
            """
        )
    }

    @Test func everyOutcomeHasARowThatOutlivesSIGTERMAndTheReportMatches() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["hello ", "analytics ", "world"]))
            upstreams["a"].register(model: "bad", .status(400))
            upstreams["a"].register(model: "stall", .stall)
            upstreams["b"].register(model: "m", .text(["from b"]))
            let directory = try DaemonProcess.makeDirectory()
            let first = try await DaemonProcess(config: Self.config(upstreams), directory: directory)
            var successes: [StreamResult] = []
            try await NeuroLinkClient.withConnection(socketPath: first.socketPath) { client in
                for index in 0..<3 {
                    let outcome = try await streamOnce(
                        client,
                        StreamRequest(prompt: "question \(index)", provider: "a")
                    )
                    successes.append(try #require(outcome.result, "\(String(describing: outcome.error))"))
                }
                let failed = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a", model: "bad"))
                #expect(failed.error?.type == .upstreamInvalidRequest)
                successes.append(
                    try #require(try await streamOnce(client, StreamRequest(prompt: "x", provider: "b")).result)
                )
                let rejected = try await streamOnce(client, StreamRequest(prompt: "x", provider: "b"))
                #expect(rejected.error?.type == .rateLimited)
                // Cancelled by the client.
                let cancelled = Task {
                    try await streamOnce(client, StreamRequest(prompt: "x", provider: "a", model: "stall"))
                }
                try await waitUntil { stalled(upstreams) == 1 }
                // The client library sends `cancel` when the task iterating the stream is cancelled.
                cancelled.cancel()
                _ = try? await cancelled.value
            }
            // The client's connection closes while its request runs.
            try await FrameConnection.with(path: first.socketPath) { raw in
                try await raw.send(
                    #"{"jsonrpc":"2.0","id":7,"method":"stream","params":{"input":{"text":"gone"},"provider":"a","model":"stall"}}"#
                )
                try await waitUntil { stalled(upstreams) == 2 }
            }
            // Still running when SIGTERM comes: ended by the shutdown after the drain timeout.
            try await FrameConnection.with(path: first.socketPath) { raw in
                try await raw.send(
                    #"{"jsonrpc":"2.0","id":8,"method":"stream","params":{"input":{"text":"late"},"provider":"a","model":"stall"}}"#
                )
                try await waitUntil { stalled(upstreams) == 3 }
                first.send(SIGTERM)
                let (response, _) = try await raw.readUntilResponse(id: 8)
                #expect(
                    ((response["error"] as? [String: Any])?["data"] as? [String: Any])?["type"] as? String
                        == "shutting_down"
                )
            }
            #expect(await first.waitForExit(timeout: .seconds(15)) == 0, "\(first.log.suffix(2000))")

            // A new daemon on the same state directory reads what the first one wrote.
            try await DaemonProcess.withClient(config: Self.config(upstreams), directory: directory) { daemon, client in
                let rows = try await exportAll(client)
                let outcomes = rows.compactMap { $0["outcome"]?.stringValue }.sorted()
                #expect(
                    outcomes == [
                        "cancelled", "client_gone", "error", "rejected", "shut_down", "success", "success", "success",
                        "success",
                    ],
                    "\(rows)\nthe first daemon's log:\n\(first.log.suffix(3000))"
                )
                let okRows = rows.filter { $0["outcome"]?.stringValue == "success" }
                #expect(okRows.allSatisfy { $0["tokens_estimated"] == .bool(true) }, "the loopback reports no usage")
                #expect(okRows.allSatisfy { $0["tenant"]?.stringValue?.isEmpty == false && $0["uid"] != nil })
                #expect(
                    rows.first { $0["outcome"]?.stringValue == "error" }?["error_type"]?.stringValue
                        == "upstream_invalid_request"
                )
                #expect(
                    rows.first { $0["outcome"]?.stringValue == "rejected" }?["error_type"]?.stringValue
                        == "rate_limited"
                )

                let aRows = rows.filter { $0["provider"]?.stringValue == "a" }
                #expect(aRows.count == 7)
                // The report by provider agrees with what the test saw and with the rows.
                let report = try await client.analyticsReport(AnalyticsReportRequest(since: 0, by: .provider))
                let a = try #require(report.groups.first { $0.key == "a" })
                #expect(a.requests == 7)
                #expect(a.succeeded == 3)
                let aResults = successes.filter { $0.provider == "a" }
                #expect(a.outputTokens == aResults.reduce(0) { $0 + ($1.usage?.outputTokens ?? 0) })
                #expect(a.inputTokens == aResults.reduce(0) { $0 + ($1.usage?.inputTokens ?? 0) })
                #expect(a.estimatedTokenRequests == 3)
                let durations = aRows.compactMap { row in row["duration_ms"]?.numberValue }
                #expect(a.durationMs.p50 == nearestRank(durations, 0.50), "\(durations)")
                #expect(a.durationMs.p95 == nearestRank(durations, 0.95))
                #expect(a.topErrors.map(\.type).sorted() == ["cancelled", "shutting_down", "upstream_invalid_request"])
                #expect(report.groups.first { $0.key == "b" }?.requests == 2)
                _ = daemon
            }
        }
    }

    @Test func rowsOlderThanTheFlushIntervalSurviveSIGKILL() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["kept"]))
            let directory = try DaemonProcess.makeDirectory()
            let first = try await DaemonProcess(config: Self.config(upstreams), directory: directory)
            try await NeuroLinkClient.withConnection(socketPath: first.socketPath) { client in
                for _ in 0..<5 { _ = try await client.generate(StreamRequest(prompt: "x", provider: "a")) }
            }
            // Longer than the flush interval (100 ms), with room for a slow machine.
            try await Task.sleep(for: .milliseconds(1000))
            first.send(SIGKILL)
            _ = await first.waitForExit()
            try await DaemonProcess.withClient(config: Self.config(upstreams), directory: directory) { _, client in
                let rows = try await exportAll(client)
                #expect(rows.count == 5)
                #expect(rows.allSatisfy { $0["method"]?.stringValue == "generate" })
            }
        }
    }
}

extension AnalyticsTests {
    @Test func nlctlReportsAndExportsInEveryFormat() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["one, \"two\""]))
            try await DaemonProcess.withClient(config: Self.config(upstreams)) { daemon, client in
                for _ in 0..<3 { _ = try await client.generate(StreamRequest(prompt: "x", provider: "a")) }
                // Written within the flush interval (100 ms).
                try await waitUntil { (try await client.status().analytics?.rowsWritten ?? 0) == 3 }
                let socket = ["--socket", daemon.socketPath]
                let nlctl = DaemonProcess.binary("nlctl")

                let table = try await runTool(nlctl, ["analytics", "report", "--since", "1h"] + socket)
                #expect(table.status == 0, "\(table.stderr)")
                let lines = table.stdout.split(separator: "\n")
                #expect(lines.first?.hasPrefix("provider") == true, "\(table.stdout)")
                #expect(lines.contains { $0.hasPrefix("a ") && $0.contains(" 3 ") }, "\(table.stdout)")
                #expect(table.stdout.contains("estimates"), "token counts are estimated and the table says so")

                let json = try await runTool(
                    nlctl,
                    ["analytics", "report", "--by", "model", "--format", "json"] + socket
                )
                let report = try JSONDecoder().decode(AnalyticsReport.self, from: Data(json.stdout.utf8))
                #expect(report.by == .model)
                #expect(report.groups.map(\.requests) == [3])

                let csv = try await runTool(nlctl, ["analytics", "report", "--format", "csv"] + socket)
                #expect(csv.stdout.split(separator: "\n").count == 2, "\(csv.stdout)")

                let jsonl = try await runTool(nlctl, ["analytics", "export", "--since", "24h"] + socket)
                let rows = jsonl.stdout.split(separator: "\n").map {
                    try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
                }
                #expect(rows.count == 3 && rows.allSatisfy { $0?["outcome"] == .string("success") }, "\(jsonl.stdout)")

                let exported = try await runTool(nlctl, ["analytics", "export", "--format", "csv"] + socket)
                let csvLines = exported.stdout.split(separator: "\n")
                #expect(csvLines.first == Substring(AnalyticsExportPage.columns.joined(separator: ",")))
                #expect(csvLines.count == 4, "\(exported.stdout)")

                let bad = try await runTool(nlctl, ["analytics", "report", "--since", "yesterday"] + socket)
                #expect(bad.status != 0 && bad.stderr.contains("--since"), "\(bad.stderr)")
            }
        }
    }
}

extension AnalyticsTests {
    @Test func liveAnalyticsChunksAtMostEveryIntervalAndFiguresInTheResult() async throws {
        try await Upstreams.with(["a", "b"]) { upstreams in
            let pieces = (0..<16).map { "piece\($0) " }
            upstreams["a"].register(model: "m", .text(pieces, delay: .milliseconds(60)))
            let config = Self.config(upstreams) + "\n  stream_interval_ms: 250"
            try await DaemonProcess.withClient(config: config) { daemon, client in
                var request = StreamRequest(prompt: "x", provider: "a")
                request.enableAnalytics = true
                let outcome = try await streamOnce(client, request)
                let live = outcome.chunks.compactMap(\.analytics)
                #expect(live.count >= 2 && live.count <= 5, "\(live)")
                for (earlier, later) in zip(live, live.dropFirst()) {
                    #expect(later.elapsedMs - earlier.elapsedMs >= 250, "\(live)")
                    #expect(later.outputTokens >= earlier.outputTokens)
                }
                #expect(live.allSatisfy { $0.outputTokensEstimated && $0.timeToFirstChunkMs != nil })
                let result = try #require(outcome.result)
                let analytics = try #require(result.analytics)
                #expect(analytics.provider == "a" && analytics.usage == result.usage)
                #expect(analytics.usage?.estimated == true)
                #expect(analytics.usage?.outputTokens == UsageEstimateProbe.tokens(pieces.joined()))
                #expect(analytics.cost == nil, "the loopback's model has no price")
                #expect(analytics.tokensPerSecond != nil)
                // Chunks without the flag stay as they were.
                let plain = try await streamOnce(client, StreamRequest(prompt: "x", provider: "a"))
                #expect(plain.chunks.allSatisfy { $0.type != .analytics } && plain.result?.analytics == nil)

                let nlctl = try await runTool(
                    DaemonProcess.binary("nlctl"),
                    ["stream", "--socket", daemon.socketPath, "-p", "a", "--enable-analytics", "hi"]
                )
                #expect(nlctl.stdout == pieces.joined() + "\n", "analytics never reach stdout")
                let summary = nlctl.stderr.split(separator: "\n").last ?? ""
                #expect(summary.hasPrefix("analytics: a/m · first chunk "), "\(nlctl.stderr)")
                #expect(summary.contains("(estimated)") && summary.hasSuffix("cost unknown"), "\(summary)")
            }
        }
    }
}

/// The daemon's documented estimate: UTF-8 bytes ÷ 4, rounded up.
enum UsageEstimateProbe {
    static func tokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }
}

/// Requests upstream `a` received for the model that never answers.
private func stalled(_ upstreams: Upstreams) -> Int {
    upstreams["a"].requests().filter { String(decoding: $0.body, as: UTF8.self).contains(#""model":"stall""#) }.count
}

/// Every exported row, fetched in small pages to exercise the cursor.
func exportAll(_ client: NeuroLinkClient) async throws -> [JSONValue] {
    var request = AnalyticsExportRequest(since: 0, limit: 2)
    var rows: [JSONValue] = []
    while true {
        let page = try await client.analyticsExport(request)
        rows += page.rows
        guard let next = page.next else { return rows }
        request.after = next
    }
}

/// The smallest value with at least `share` of the values at or below it.
func nearestRank(_ values: [Double], _ share: Double) -> Double? {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return nil }
    let rank = Int((share * Double(sorted.count)).rounded(.up))
    return sorted[max(0, rank - 1)]
}
