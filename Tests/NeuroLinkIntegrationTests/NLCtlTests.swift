import Foundation
import LoopbackUpstream
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `nlctl` binary against the real daemon and a loopback upstream.
@Suite struct NLCtlTests {
    static let pieces = ["Hello", ", wörld", " 👋"]
    static var text: String { pieces.joined() }

    /// A daemon whose provider `loop` points at a fresh upstream serving ``pieces`` by default.
    private func withDaemon(_ body: (LoopbackUpstream, DaemonProcess) async throws -> Void) async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: Self.pieces)))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await body(upstream, daemon)
            }
        }
    }

    @Test func streamPrintsExactlyTheUpstreamText() async throws {
        try await withDaemon { _, daemon in
            let plain = try await nlctl(["--socket", daemon.socketPath, "stream", "hi"])
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(plain.stdout == Self.text + "\n")
            #expect(!plain.stderr.contains("[debug]"))

            let debug = try await nlctl(["--socket", daemon.socketPath, "stream", "--debug", "hi"])
            #expect(debug.status == 0, "\(debug.stderr)")
            #expect(debug.stdout == Self.text + "\n")
            #expect(debug.stderr.contains("provider: loop"), "\(debug.stderr)")
            #expect(debug.stderr.contains("model: loop-model"), "\(debug.stderr)")
        }
    }

    @Test func streamJSONFormatIsOneObjectPerLine() async throws {
        try await withDaemon { _, daemon in
            let run = try await nlctl(["stream", "--socket", daemon.socketPath, "--format", "json", "hi"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasSuffix("\n"))
            let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let objects = try lines.map { line in
                try #require(
                    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    "not a JSON object: \(line)"
                )
            }
            try #require(objects.count >= 2)
            let chunks = objects.dropLast()
            for (index, chunk) in chunks.enumerated() {
                #expect(chunk["seq"] as? Int == index, "\(chunk)")
                #expect(["text", "finish"].contains(chunk["type"] as? String), "\(chunk)")
                if chunk["type"] as? String == "text" { #expect(chunk["content"] is String, "\(chunk)") }
            }
            let textChunks = chunks.filter { $0["type"] as? String == "text" }
            #expect(textChunks.compactMap { $0["content"] as? String }.joined() == Self.text)
            #expect(chunks.last?["type"] as? String == "finish")
            let last = try #require(objects.last)
            #expect(last["type"] as? String == "result")
            let result = try #require(last["result"] as? [String: Any], "\(last)")
            #expect(result["text"] as? String == Self.text)
            #expect(result["provider"] as? String == "loop")
        }
    }

    @Test func promptFromStandardInput() async throws {
        try await withDaemon { upstream, daemon in
            let dash = try await nlctl(
                ["--socket", daemon.socketPath, "stream", "-m", "stdin-dash", "-"],
                stdin: "from stdin"
            )
            #expect(dash.status == 0, "\(dash.stderr)")
            #expect(dash.stdout == Self.text + "\n")
            let implicit = try await nlctl(
                ["--socket", daemon.socketPath, "stream", "-m", "stdin-none"],
                stdin: "from stdin"
            )
            #expect(implicit.status == 0, "\(implicit.stderr)")
            #expect(implicit.stdout == Self.text + "\n")

            for model in ["stdin-dash", "stdin-none"] {
                let request = try #require(
                    upstream.requests().first { $0.model == model },
                    "no upstream request for \(model)"
                )
                let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
                let messages = try #require(body["messages"] as? [[String: Any]], "\(body)")
                let user = try #require(messages.last { $0["role"] as? String == "user" }, "\(messages)")
                #expect(user["content"] as? String == "from stdin", "\(model): \(messages)")
            }
        }
    }

    @Test func generatePrintsTheWholeText() async throws {
        try await withDaemon { upstream, daemon in
            let run = try await nlctl(["--socket", daemon.socketPath, "generate", "hi"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == Self.text + "\n")
            let request = try #require(upstream.requests().last)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(body["messages"] != nil)
        }
    }

    @Test func healthAnswersOkAndExplainsAnUnreachableDaemon() async throws {
        try await withDaemon { _, daemon in
            let run = try await nlctl(["--socket", daemon.socketPath, "health"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        }
        let directory = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let nowhere = directory.appendingPathComponent("nobody.sock").path
        let run = try await nlctl(["--socket", nowhere, "health"])
        #expect(run.status == 69, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stderr.contains(nowhere), "\(run.stderr)")
        #expect(run.stderr.contains("Start it with `neurolinkd`"), "\(run.stderr)")
    }

    @Test func statusAsJSONAndAsText() async throws {
        try await withDaemon { _, daemon in
            let json = try await nlctl(["--socket", daemon.socketPath, "status", "--json"])
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any],
                "\(json.stdout)"
            )
            let providers = try #require(object["providers"] as? [[String: Any]], "\(object)")
            #expect(providers.first?["name"] as? String == "loop")
            #expect(object["socketPath"] as? String == daemon.socketPath)

            let plain = try await nlctl(["--socket", daemon.socketPath, "status"])
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(plain.stdout.contains("providers"), "\(plain.stdout)")
            #expect(plain.stdout.contains("loop"), "\(plain.stdout)")
        }
    }

    @Test func upstreamFailuresMapToDocumentedExitCodes() async throws {
        try await withDaemon { upstream, daemon in
            upstream.register(
                model: "auth",
                .openAIError(
                    status: 401,
                    message: "Incorrect API key provided",
                    type: "invalid_request_error",
                    code: "invalid_api_key"
                )
            )
            upstream.register(
                model: "limited",
                .openAIError(
                    status: 429,
                    message: "Rate limit reached",
                    type: "requests",
                    headers: [HTTPField("retry-after", "2")]
                )
            )
            upstream.register(model: "stall", .stall)

            let auth = try await nlctl(["--socket", daemon.socketPath, "stream", "-m", "auth", "hi"])
            #expect(auth.status == 4, "\(auth.stderr)")
            #expect(auth.stderr.contains("upstream_auth"), "\(auth.stderr)")

            // The stall comes first: a 429 pauses the provider for its retry-after.
            let started = ContinuousClock.now
            let stalled = try await nlctl([
                "--socket", daemon.socketPath, "stream", "--timeout", "300ms", "-m", "stall", "hi",
            ])
            let elapsed = ContinuousClock.now - started
            #expect(stalled.status == 6, "\(stalled.stderr)")
            #expect(stalled.stderr.contains("timeout"), "\(stalled.stderr)")
            #expect(elapsed < .seconds(3), "took \(elapsed)")
            let limited = try await nlctl(["--socket", daemon.socketPath, "stream", "-m", "limited", "hi"])
            #expect(limited.status == 5, "\(limited.stderr)")
            #expect(limited.stderr.contains("rate_limited"), "\(limited.stderr)")

        }
    }

    @Test func usageErrorsExit64() async throws {
        let directory = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("unused.sock").path
        let timeout = try await nlctl(["--socket", socket, "stream", "--timeout", "abc", "hi"])
        #expect(timeout.status == 64, "\(timeout.stderr)")
        #expect(timeout.stderr.contains("--timeout"), "\(timeout.stderr)")
        let temperature = try await nlctl(["--socket", socket, "stream", "--temperature", "5", "hi"])
        #expect(temperature.status == 64, "\(temperature.stderr)")
        #expect(temperature.stderr.contains("--temperature"), "\(temperature.stderr)")
    }

    @Test func ctrlCCancelsTheRequestAndExits130() async throws {
        try await withDaemon { upstream, daemon in
            let pieces = (0..<100).map { "w\($0) " }
            upstream.register(model: "long", .stream(OpenAIStream(pieces: pieces, delay: .milliseconds(50))))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DaemonProcess.binary("nlctl"))
            process.arguments = ["--socket", daemon.socketPath, "stream", "-m", "long", "hi"]
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"]
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            let stdout = OutputCollector(out.fileHandleForReading)
            let stderr = OutputCollector(err.fileHandleForReading)
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

            let deadline = ContinuousClock.now + .seconds(3)
            while stdout.text.isEmpty, process.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            try #require(!stdout.text.isEmpty, "no output before the interrupt; stderr: \(stderr.text)")
            try #require(process.isRunning)

            let interruptedAt = ContinuousClock.now
            kill(process.processIdentifier, SIGINT)
            while process.isRunning, ContinuousClock.now - interruptedAt < .seconds(2) {
                try await Task.sleep(for: .milliseconds(5))
            }
            let exitedAfter = ContinuousClock.now - interruptedAt
            try #require(!process.isRunning, "nlctl still running 2 s after SIGINT")
            #expect(exitedAfter < .seconds(1), "took \(exitedAfter)")
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 130, "stderr: \(stderr.text)")

            let closed = await upstream.waitForConnectionClose(model: "long", timeout: .milliseconds(500))
            let closedAt = try #require(closed?.clientClosedAt, "the upstream connection was not closed by the daemon")
            #expect(closedAt - interruptedAt < .milliseconds(500))

            await stdout.waitForEnd()
            await stderr.waitForEnd()
            let printed = stdout.text
            #expect(!printed.isEmpty)
            let received = printed.hasSuffix("\n") ? String(printed.dropLast()) : printed
            #expect(
                !received.isEmpty && pieces.joined().hasPrefix(received),
                "not the text streamed so far: \(printed.debugDescription)"
            )
            // stdout is a pipe, not a terminal: nothing but the streamed text may be printed after the interrupt.
            #expect(
                pieces.joined().hasPrefix(printed),
                "nlctl added output after the interrupt: \(printed.debugDescription)"
            )
            #expect(printed.count < pieces.joined().count, "the whole stream was printed despite the interrupt")
            #expect(stderr.text.contains("interrupted"), "\(stderr.text)")
        }
    }
}

// MARK: - Helpers

/// Runs `nlctl` like ``runTool(_:_:stdin:environment:)``, but kills it (and records an issue)
/// if it has not finished after `timeout`, so a hang fails the test instead of stalling the run.
private func nlctl(
    _ arguments: [String],
    stdin: String? = nil,
    timeout: Duration = .seconds(10)
) async throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: DaemonProcess.binary("nlctl"))
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"]
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    let stdout = OutputCollector(out.fileHandleForReading)
    let stderr = OutputCollector(err.fileHandleForReading)
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        Issue.record(
            "nlctl \(arguments) did not finish within \(timeout); stdout: \(stdout.text)\nstderr: \(stderr.text)"
        )
        while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
    }
    await stdout.waitForEnd()
    await stderr.waitForEnd()
    return CommandResult(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text)
}

/// Collects everything written to a pipe as it arrives.
private final class OutputCollector: Sendable {
    private let state = Mutex((data: Data(), ended: false))

    init(_ handle: FileHandle) {
        // A thread of its own, blocking in read(2) until the writer closes the pipe.
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                state.withLock {
                    if data.isEmpty { $0.ended = true } else { $0.data.append(data) }
                }
                if data.isEmpty { return }
            }
        }
        thread.start()
    }

    var text: String { state.withLock { String(decoding: $0.data, as: UTF8.self) } }

    /// Waits (at most 2 s) until the writer closed the pipe.
    func waitForEnd() async {
        let deadline = ContinuousClock.now + .seconds(2)
        while !state.withLock({ $0.ended }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
