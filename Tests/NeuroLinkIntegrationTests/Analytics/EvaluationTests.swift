import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// LLM-as-judge through the real daemon against a loopback judge: the `evaluation` chunk before
/// `finish`, the result, the row and the report; a failing, wrong or slow judge never fails the request.
@Suite struct EvaluationTests {
    static func config(_ upstreams: Upstreams, timeoutMs: Int = 10_000) -> String {
        upstreams.config(
            """
            analytics:
              flush_interval_ms: 100
            evaluation:
              model: judge
              timeout_ms: \(timeoutMs)
            """
        )
    }

    static func verdict(_ scores: [Int], reason: String = "Direct and correct.") -> Scenario {
        let fields = zip(["relevance", "accuracy", "completeness", "overall"], scores).map { "\"\($0)\": \($1)" }
        // Split inside the JSON, as a model streams it.
        let json = "{" + fields.joined(separator: ", ") + ", \"reason\": \"\(reason)\"}"
        let middle = json.index(json.startIndex, offsetBy: json.count / 2)
        return .text([String(json[..<middle]), String(json[middle...])])
    }

    @Test func theJudgeScoresTheAnswerBeforeFinishAndReportsAverageThem() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["The answer ", "is 42."]))
            upstreams["a"].register(model: "judge", Self.verdict([9, 8, 7, 8]))
            try await DaemonProcess.withClient(config: Self.config(upstreams)) { daemon, client in
                var request = StreamRequest(
                    prompt: "What is six times seven?",
                    provider: "a",
                    systemPrompt: "PRIVATE-RULES"
                )
                request.enableEvaluation = true
                request.evaluationDomain = "Senior Developer"
                let outcome = try await streamOnce(client, request)
                let result = try #require(outcome.result, "\(String(describing: outcome.error))")
                #expect(result.text == "The answer is 42.")
                #expect(outcome.chunks.suffix(2).map(\.type) == [.evaluation, .finish])
                let scored = try #require(outcome.chunks.first { $0.type == .evaluation }?.evaluation)
                let scores: [Int] = [scored.relevance, scored.accuracy, scored.completeness, scored.overall]
                #expect(scores == [9, 8, 7, 8])
                #expect(scored.reason == "Direct and correct." && scored.judge == "a/judge")
                #expect(result.evaluation == scored && result.evaluationError == nil)

                // What the judge was asked: the domain, the question, the answer, a schema; never the system prompt.
                let judged = upstreams["a"].requests().filter { $0.model == "judge" }
                #expect(judged.count == 1)
                let body = String(decoding: try #require(judged.first).body, as: UTF8.self)
                for part in ["Senior Developer", "What is six times seven?", "The answer is 42.", "json_schema"] {
                    #expect(body.contains(part), "\(part) missing from \(body)")
                }
                #expect(!body.contains("PRIVATE-RULES"))

                // A second judged answer (a `generate`) and one without evaluation.
                upstreams["a"].register(model: "judge", Self.verdict([6, 5, 4, 5]))
                var second = StreamRequest(prompt: "Again?", provider: "a")
                second.enableEvaluation = true
                #expect(try await client.generate(second).evaluation?.overall == 5)
                let plain = try await streamOnce(client, StreamRequest(prompt: "No judge", provider: "a"))
                #expect(!plain.chunks.contains { $0.type == .evaluation } && plain.result?.evaluation == nil)
                #expect(upstreams["a"].requests().filter { $0.model == "judge" }.count == 2)

                try await waitUntil { (try await client.status().analytics?.rowsWritten ?? 0) == 3 }
                let rows = try await exportAll(client)
                #expect(rows.compactMap { $0["eval_overall"]?.intValue }.sorted() == [5, 8])
                #expect(rows.filter { $0["eval_judge"]?.stringValue == "a/judge" }.count == 2)
                let report = try await client.analyticsReport(AnalyticsReportRequest(since: 0, by: .model))
                let group = try #require(report.groups.first { $0.key == "m" }?.evaluation)
                #expect(group.scored == 2 && group.failed == 0)
                #expect(group.overall == 6.5 && group.relevance == 7.5 && group.completeness == 5.5)

                let nlctl = try await runTool(
                    DaemonProcess.binary("nlctl"),
                    ["stream", "--socket", daemon.socketPath, "-p", "a", "--evaluation-domain", "Editor", "Hi"]
                )
                #expect(nlctl.status == 0 && nlctl.stdout == "The answer is 42.\n", "\(nlctl.stderr)")
                #expect(nlctl.stderr.contains("evaluation: 5/10 · relevance 6 · accuracy 5"), "\(nlctl.stderr)")
                try await waitUntil { (try await client.status().analytics?.rowsWritten ?? 0) == 4 }
                let table = try await runTool(
                    DaemonProcess.binary("nlctl"),
                    ["analytics", "report", "--by", "model", "--socket", daemon.socketPath]
                )
                #expect(table.stdout.contains("eval") && table.stdout.contains("6.0 (3)"), "\(table.stdout)")
            }
        }
    }

    @Test func aFailingWrongOrSlowJudgeNeverFailsTheRequest() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["kept answer"]))
            try await DaemonProcess.withClient(config: Self.config(upstreams, timeoutMs: 400)) { _, client in
                var request = StreamRequest(prompt: "q", provider: "a")
                request.enableEvaluation = true
                let cases: [(Scenario, String)] = [
                    (.status(400), "the judge failed: upstream_invalid_request"),
                    (.text(["I liked it a lot."]), "not a valid evaluation"),
                    (Self.verdict([11, 8, 7, 8]), "not a valid evaluation"),
                    (.stall, "evaluation.timeout_ms (400 ms)"),
                ]
                for (scenario, expected) in cases {
                    upstreams["a"].register(model: "judge", scenario)
                    let started = ContinuousClock.now
                    let outcome = try await streamOnce(client, request)
                    let result = try #require(outcome.result, "\(String(describing: outcome.error))")
                    #expect(result.text == "kept answer" && result.finishReason == .stop)
                    #expect(result.evaluation == nil)
                    #expect(
                        result.evaluationError?.contains(expected) == true,
                        "\(String(describing: result.evaluationError))"
                    )
                    let chunk = try #require(outcome.chunks.first { $0.type == .evaluation })
                    #expect(chunk.evaluationError == result.evaluationError)
                    #expect(outcome.chunks.last?.type == .finish)
                    #expect(ContinuousClock.now - started < .seconds(5))
                }
                // The stalled judge's transfer was ended, not left open.
                try await waitUntil {
                    upstreams["a"].requests().filter { $0.model == "judge" }.last?.clientClosedAt != nil
                }
                try await waitUntil { (try await client.status().analytics?.rowsWritten ?? 0) == 4 }
                let kinds = try await exportAll(client).compactMap { $0["eval_error"]?.stringValue }
                #expect(kinds == ["judge_error", "invalid_verdict", "invalid_verdict", "timeout"])
            }
        }
    }

    @Test func cancellingWhileTheJudgeRunsEndsTheJudgesTransfer() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["answer"]))
            upstreams["a"].register(model: "judge", .stall)
            try await DaemonProcess.withClient(config: Self.config(upstreams)) { _, client in
                var request = StreamRequest(prompt: "q", provider: "a")
                request.enableEvaluation = true
                let running = Task { try await streamOnce(client, request) }
                try await waitUntil { upstreams["a"].requests().contains { $0.model == "judge" } }
                running.cancel()
                _ = try? await running.value
                // At once: well before evaluation.timeout_ms (10 s) would end it.
                try await waitUntil(timeout: .seconds(3)) {
                    upstreams["a"].requests().first { $0.model == "judge" }?.clientClosedAt != nil
                }
                try await waitUntil { (try await client.status().analytics?.rowsWritten ?? 0) == 1 }
                let row = try #require(try await exportAll(client).first)
                #expect(row["outcome"]?.stringValue == "cancelled", "\(row)")
            }
        }
    }
}
