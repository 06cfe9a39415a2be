import Foundation
import LoopbackUpstream
import Testing

/// `nlctl batch` against the real daemon and a loopback upstream: order, failures, retries,
/// the concurrency bound and malformed input.
@Suite struct BatchCommandTests {
    /// Models `m0`…`m6` answer `answer k` after `k` × 4 ms, so later items often finish first.
    static let models = 7
    static let failing = 42

    /// 100 items with a blank line among them: even items are JSON lines naming `m(i % 7)` (item
    /// 42 the failing model `broken`), odd ones plain prompts for the command line's model.
    static var input: String {
        (0..<100).map { index in
            let line: String
            if index == failing {
                line = #"{"input":{"text":"prompt \#(index)"},"model":"broken"}"#
            } else if index.isMultiple(of: 2) {
                line = #"{"input":{"text":"prompt \#(index)"},"model":"m\#(index % models)"}"#
            } else {
                line = "prompt \(index)"
            }
            return index == 10 ? "\n" + line : line
        }.joined(separator: "\n") + "\n"
    }

    static func serve(_ upstream: LoopbackUpstream) {
        for model in 0..<models {
            upstream.register(
                model: "m\(model)",
                .stream(OpenAIStream(pieces: ["answer \(model)"], delay: .milliseconds(4 * model), usage: (3, 2)))
            )
        }
        upstream.register(model: "plain", .stream(OpenAIStream(pieces: ["plain answer"])))
        upstream.register(
            model: "broken",
            .openAIError(status: 400, message: "bad model", type: "invalid_request_error")
        )
    }

    /// The output's objects, one per line.
    static func records(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    /// Checks 100 records in input order, each answered by its own model, item 42 failed.
    static func checkAll(_ records: [[String: Any]]) {
        #expect(records.count == 100)
        for (position, record) in records.enumerated() {
            #expect(record["index"] as? Int == position, "\(record)")
            #expect(record["input"] as? String == "prompt \(position)", "\(record)")
            let result = record["result"] as? [String: Any]
            switch position {
            case failing:
                #expect(record["ok"] as? Bool == false)
                let error = record["error"] as? [String: Any]
                #expect(error?["type"] as? String == "upstream_invalid_request", "\(record)")
                #expect(error?["code"] as? Int == -32011 && (error?["message"] as? String)?.isEmpty == false)
            case let even where even.isMultiple(of: 2):
                #expect(record["ok"] as? Bool == true, "\(record)")
                #expect(result?["text"] as? String == "answer \(position % models)", "\(record)")
            default:
                #expect(result?["text"] as? String == "plain answer", "\(record)")
            }
        }
    }

    /// The most upstream requests that were open at the same time.
    static func peakOverlap(_ upstream: LoopbackUpstream) -> Int {
        let spans = upstream.requests().filter { $0.method == "POST" }.map {
            ($0.receivedAt, $0.completedAt ?? $0.receivedAt)
        }
        return spans.map { span in spans.filter { $0.0 <= span.0 && span.0 < $0.1 }.count }.max() ?? 0
    }

    @Test func aHundredItemsInInputOrderOneFailedThenRetried() async throws {
        try await LoopbackUpstream.with { upstream in
            Self.serve(upstream)
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let input = daemon.directory.appendingPathComponent("in.jsonl").path
                let output = daemon.directory.appendingPathComponent("out.jsonl").path
                try Self.input.write(toFile: input, atomically: true, encoding: .utf8)
                let nlctl = DaemonProcess.binary("nlctl")
                let run = try await runTool(
                    nlctl,
                    ["batch", "--socket", daemon.socketPath, "-m", "plain", input, "--output", output]
                )
                #expect(run.status == 8, "\(run.stderr)")
                #expect(run.stdout.isEmpty)
                Self.checkAll(try Self.records(String(contentsOfFile: output, encoding: .utf8)))
                #expect(run.stderr.contains("nlctl batch: 10/100 (10%)"), "a line every tenth: \(run.stderr)")
                #expect(run.stderr.contains("batch: 100 done, 1 failed"), "\(run.stderr)")
                #expect(run.stderr.contains(" tokens"), "\(run.stderr)")
                let peak = Self.peakOverlap(upstream)
                #expect(peak >= 2 && peak <= 4, "at most 4 in flight, and more than one: \(peak)")

                upstream.register(model: "broken", .stream(OpenAIStream(pieces: ["fixed"])))
                let before = upstream.requests().count
                let retry = try await runTool(
                    nlctl,
                    ["batch", "--socket", daemon.socketPath, "-m", "plain", input, "--retry-failed", output]
                )
                #expect(retry.status == 0, "\(retry.stderr)")
                let retried = try Self.records(retry.stdout)
                #expect(retried.count == 1 && retried.first?["index"] as? Int == Self.failing, "\(retry.stdout)")
                #expect((retried.first?["result"] as? [String: Any])?["text"] as? String == "fixed")
                #expect(upstream.requests().count == before + 1, "exactly the failed item ran again")
            }
        }
    }

    @Test func oneAtATimeGivesTheSameOutput() async throws {
        try await LoopbackUpstream.with { upstream in
            Self.serve(upstream)
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let run = try await runTool(
                    DaemonProcess.binary("nlctl"),
                    ["batch", "--socket", daemon.socketPath, "-m", "plain", "--concurrency", "1", "-q", "-"],
                    stdin: Self.input
                )
                #expect(run.status == 8, "\(run.stderr)")
                Self.checkAll(try Self.records(run.stdout))
                #expect(Self.peakOverlap(upstream) == 1)
                #expect(!run.stderr.contains("nlctl batch: "), "--quiet: no progress lines: \(run.stderr)")
                #expect(run.stderr.contains("batch: 100 done, 1 failed"), "\(run.stderr)")
            }
        }
    }

    @Test func ctrlCCancelsTheRequestsInFlight() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(model: "stall", .stall)
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let batch = Process()
                batch.executableURL = URL(fileURLWithPath: DaemonProcess.binary("nlctl"))
                batch.arguments = ["batch", "--socket", daemon.socketPath, "-m", "stall", "-"]
                let input = Pipe()
                let errors = Pipe()
                batch.standardInput = input
                batch.standardOutput = FileHandle.nullDevice
                batch.standardError = errors
                try batch.run()
                try input.fileHandleForWriting.write(contentsOf: Data("a\nb\nc\n".utf8))
                try input.fileHandleForWriting.close()
                try await waitUntil { upstream.requests().filter { $0.model == "stall" }.count == 3 }
                kill(batch.processIdentifier, SIGINT)
                let stderr = String(decoding: await readToEnd(errors.fileHandleForReading), as: UTF8.self)
                while batch.isRunning { try await Task.sleep(for: .milliseconds(5)) }
                #expect(batch.terminationStatus == 130, "\(stderr)")
                #expect(stderr.contains("batch interrupted: 0 done, 0 failed"), "\(stderr)")
                try await waitUntil { upstream.requests().allSatisfy { $0.clientClosedAt != nil } }
            }
        }
    }

    @Test func aMalformedLineFailsAloneAndEverythingSucceededExitsZero() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["ok"])))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let nlctl = DaemonProcess.binary("nlctl")
                let broken = try await runTool(
                    nlctl,
                    ["batch", "--socket", daemon.socketPath, "-"],
                    stdin: "hello\n{\"input\": {\"text\": \n\n   \n{\"input\":{\"text\":\"x\"},\"colour\":1}\nworld"
                )
                #expect(broken.status == 8, "\(broken.stderr)")
                let records = try Self.records(broken.stdout)
                #expect(records.map { $0["index"] as? Int } == [0, 1, 2, 3])
                #expect(records.map { $0["ok"] as? Bool } == [true, false, false, true])
                let parse = records[1]["error"] as? [String: Any]
                #expect(parse?["type"] as? String == "parse_error", "\(records[1])")
                #expect((parse?["message"] as? String)?.contains("line 2") == true, "\(records[1])")
                #expect((records[2]["error"] as? [String: Any])?["type"] as? String == "invalid_params")
                #expect(upstream.requests().count == 2, "only the good lines reached the provider")

                let fine = try await runTool(nlctl, ["batch", "--socket", daemon.socketPath, "-"], stdin: "a\nb\n")
                #expect(fine.status == 0, "\(fine.stderr)")
                #expect(try Self.records(fine.stdout).count == 2)
            }
        }
    }
}
