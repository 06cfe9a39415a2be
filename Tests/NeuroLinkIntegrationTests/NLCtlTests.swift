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

    @Test func healthFindsTheDaemonThroughNEUROLINK_SOCKET() async throws {
        try await withDaemon { _, daemon in
            let run = try await runTool(
                DaemonProcess.binary("nlctl"),
                ["health"],
                environment: ["NEUROLINK_SOCKET": daemon.socketPath]
            )
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == "ok\n")
        }
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

    // MARK: Closed output

    /// `nlctl stream … | head -3`: the reader goes away mid-stream. nlctl stops, the daemon cancels the
    /// upstream request, and nlctl exits 141 (like a SIGPIPE death) without a word or a backtrace.
    @Test func streamIntoAClosedPipeCancelsUpstreamAndExits141() async throws {
        try await withDaemon { upstream, daemon in
            let pieces = (0..<100).map { "w\($0) " }
            upstream.register(model: "long", .stream(OpenAIStream(pieces: pieces, delay: .milliseconds(50))))
            let run = try await nlctlIntoClosingReader(
                ["--socket", daemon.socketPath, "stream", "-m", "long", "hi"],
                closeAfter: 5
            )
            #expect(run.read.count >= 5 && pieces.joined().hasPrefix(run.read), "\(run.read)")
            #expect(run.reason == .exit && run.status == 141, "\(run.reason) \(run.status): \(run.stderr)")
            Self.expectNoCrash(run.stderr)
            let closed = await upstream.waitForConnectionClose(model: "long", timeout: .seconds(2))
            let closedAt = try #require(closed?.clientClosedAt, "the upstream connection was not closed")
            #expect(
                closedAt - run.closedAt < .seconds(1),
                "upstream closed \(closedAt - run.closedAt) after the reader"
            )
            #expect(run.exitedAt - run.closedAt < .seconds(1))
        }
    }

    /// Closed before anything was written: `generate` (the answer at once) and `stream --format json`.
    @Test(arguments: [
        ["generate", "hi"], ["stream", "--format", "json", "hi"], ["generate", "--format", "json", "hi"],
    ])
    func closedBeforeTheFirstWriteExits141(_ command: [String]) async throws {
        try await withDaemon { _, daemon in
            let run = try await nlctlIntoClosingReader(["--socket", daemon.socketPath] + command, closeAfter: 0)
            #expect(run.reason == .exit && run.status == 141, "\(run.reason) \(run.status): \(run.stderr)")
            Self.expectNoCrash(run.stderr)
        }
    }

    @Test(arguments: ["status", "limits"])
    func watchIntoAClosedPipeExits141(_ command: String) async throws {
        try await withDaemon { _, daemon in
            let run = try await nlctlIntoClosingReader(
                ["--socket", daemon.socketPath, command, "--watch", "--interval", "100ms"],
                closeAfter: 10
            )
            #expect(run.reason == .exit && run.status == 141, "\(run.reason) \(run.status): \(run.stderr)")
            Self.expectNoCrash(run.stderr)
            #expect(run.exitedAt - run.closedAt < .seconds(2))
        }
    }

    /// A closed stderr (here: `--debug` output after the answer) ends nlctl the same way.
    @Test func closedStandardErrorExits141() async throws {
        try await withDaemon { _, daemon in
            let run = try await nlctlIntoClosingReader(
                ["--socket", daemon.socketPath, "stream", "--debug", "hi"],
                closeAfter: 0,
                descriptor: STDERR_FILENO
            )
            #expect(run.reason == .exit && run.status == 141, "\(run.reason) \(run.status)")
            #expect(run.otherOutput == Self.text + "\n")
        }
    }

    static func expectNoCrash(_ stderr: String) {
        for sign in ["Fatal error", "backtrace", "Backtrace", "Stack dump", "Current stack trace", "Crash", "0x"] {
            #expect(!stderr.contains(sign), "stderr shows a crash: \(stderr)")
        }
        #expect(stderr.isEmpty, "a closed pipe is not worth a message: \(stderr)")
    }

    // MARK: Untrusted socket directory

    /// A socket in a directory another user owns may not be the daemon's: nlctl sends nothing and says why.
    @Test func socketInAnotherUsersDirectoryIsRefusedWithExit77() async throws {
        try await withDaemon { upstream, daemon in
            let directory = daemon.directory.path
            #expect(chown(directory, 65534, 65534) == 0)
            defer { chown(directory, 0, 0) }
            let before = upstream.requests().count
            let run = try await nlctl(["--socket", daemon.socketPath, "stream", "hi"])
            #expect(run.status == 77, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
            #expect(
                run.stderr.contains("refusing to connect to \(daemon.socketPath)")
                    && run.stderr.contains("\(directory) is owned by uid 65534"),
                "\(run.stderr)"
            )
            #expect(run.stdout.isEmpty)
            #expect(upstream.requests().count == before)
            let status = try await nlctl(["--socket", daemon.socketPath, "status"])
            #expect(status.status == 77, "\(status.stderr)")
            // Its own directory again: the same daemon answers.
            chown(directory, 0, 0)
            let health = try await nlctl(["--socket", daemon.socketPath, "health"])
            #expect(health.status == 0, "\(health.stderr)")
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

/// What ``nlctlIntoClosingReader(_:closeAfter:descriptor:)`` saw.
private struct ClosedReaderRun {
    var status: Int32
    var reason: Process.TerminationReason
    /// What the closing reader read before closing.
    var read: String
    /// Everything on the other output stream.
    var otherOutput: String
    /// Standard error, unless that was the closing reader.
    var stderr: String
    var closedAt: ContinuousClock.Instant
    var exitedAt: ContinuousClock.Instant
}

/// Runs `nlctl` with `descriptor` (stdout or stderr) connected to a pipe whose only reader closes after
/// reading `bytes` bytes (0: at once), as `head -c` would; kills nlctl if it has not exited 10 s later.
private func nlctlIntoClosingReader(
    _ arguments: [String],
    closeAfter bytes: Int,
    descriptor: Int32 = STDOUT_FILENO
) async throws -> ClosedReaderRun {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { throw DaemonProcessError(message: "pipe: \(errno)") }
    let (readEnd, writeEnd) = (ends[0], ends[1])
    // Close-on-exec: no process started later may hold a copy of the read end open.
    _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
    _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: DaemonProcess.binary("nlctl"))
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"]
    let other = Pipe()
    let closing = FileHandle(fileDescriptor: writeEnd, closeOnDealloc: false)
    if descriptor == STDOUT_FILENO {
        process.standardOutput = closing
        process.standardError = other
    } else {
        process.standardOutput = other
        process.standardError = closing
    }
    process.standardInput = FileHandle.nullDevice
    let collector = OutputCollector(other.fileHandleForReading)
    try process.run()
    close(writeEnd)
    defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    var read: [UInt8] = []
    let deadline = ContinuousClock.now + .seconds(5)
    var buffer = [UInt8](repeating: 0, count: 256)
    while read.count < bytes, ContinuousClock.now < deadline {
        var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else {
            try await Task.sleep(for: .milliseconds(2))
            continue
        }
        let count = Glibc.read(readEnd, &buffer, min(buffer.count, bytes - read.count))
        if count <= 0 { break }
        read += buffer[..<count]
    }
    close(readEnd)
    let closedAt = ContinuousClock.now
    let exitDeadline = closedAt + .seconds(10)
    while process.isRunning, ContinuousClock.now < exitDeadline { try await Task.sleep(for: .milliseconds(2)) }
    let exitedAt = ContinuousClock.now
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        Issue.record("nlctl \(arguments) still running 10 s after its reader closed")
        while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
    }
    await collector.waitForEnd()
    return ClosedReaderRun(
        status: process.terminationStatus,
        reason: process.terminationReason,
        read: String(decoding: read, as: UTF8.self),
        otherOutput: collector.text,
        stderr: descriptor == STDOUT_FILENO ? collector.text : "",
        closedAt: closedAt,
        exitedAt: exitedAt
    )
}
