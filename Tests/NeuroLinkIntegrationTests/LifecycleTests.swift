import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's life: reload on SIGHUP, drain on SIGTERM, socket takeover rules, config checking
/// and running on environment defaults alone.
@Suite struct LifecycleTests {
    // MARK: SIGHUP

    @Test func sighupReloadsProvidersWithoutDisturbingARunningStream() async throws {
        try await LoopbackUpstream.with { upstream in
            // ≈3 s of streaming: still running when the reload shows, even on a busy machine.
            let pieces = (0..<30).map { "s\($0) " }
            upstream.register(model: "slow", .stream(OpenAIStream(pieces: pieces, delay: .milliseconds(100))))
            upstream.register(model: "second-model", .stream(OpenAIStream(pieces: ["from ", "second"])))
            upstream.register(model: "fresh", .stream(OpenAIStream(pieces: ["still ", "serving"])))
            let second = """
                  - name: second
                    type: openai-compatible
                    base_url: \(upstream.baseURL)
                    default_model: second-model
                """
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let before = try await lifecycleStatus(daemon.socketPath)
                #expect(before.providers.map(\.name) == ["loop"])
                #expect(before.lastReload == nil)

                try await FrameConnection.with(path: daemon.socketPath) { slow in
                    try await slow.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"model":"slow"}}"#
                    )
                    let first = try #require(try await slow.readMessage())
                    #expect(first["method"] as? String == "stream.chunk")
                    let firstContent = (first["params"] as? [String: Any])?["content"] as? String ?? ""

                    // A valid new configuration with a second provider.
                    try loopConfig(upstream.baseURL, extra: second).write(
                        toFile: daemon.configPath,
                        atomically: true,
                        encoding: .utf8
                    )
                    daemon.send(SIGHUP)
                    let reloaded = try await pollStatus(daemon.socketPath, timeout: .seconds(5)) {
                        $0.providers.map(\.name).contains("second") && $0.lastReload?.ok == true
                    }
                    let afterReload = try #require(
                        reloaded,
                        "status never showed the reloaded providers; log:\n\(daemon.log.suffix(3000))"
                    )
                    #expect(afterReload.providers.map(\.name) == ["loop", "second"])
                    #expect(afterReload.activeStreams == 1, "the slow stream should still be running during the reload")

                    // The stream that started before the reload finishes untouched.
                    let (response, chunks) = try await slow.readUntilResponse(id: 1)
                    #expect(firstContent + chunks.compactMap { $0["content"] as? String }.joined() == pieces.joined())
                    let result = try #require(response["result"] as? [String: Any], "\(response)")
                    #expect(result["text"] as? String == pieces.joined())
                    #expect(result["provider"] as? String == "loop")

                    // The new provider is usable.
                    try await FrameConnection.with(path: daemon.socketPath) { viaSecond in
                        try await viaSecond.send(
                            #"{"jsonrpc":"2.0","id":2,"method":"stream","params":{"input":{"text":"x"},"provider":"second"}}"#
                        )
                        let secondResult = try #require(
                            try await viaSecond.readUntilResponse(id: 2).response["result"] as? [String: Any]
                        )
                        #expect(secondResult["provider"] as? String == "second")
                        #expect(secondResult["text"] as? String == "from second")

                        // An invalid configuration (unknown key) is rejected and the previous one kept.
                        try loopConfig(upstream.baseURL, extra: second + "\nbogus_key: 1")
                            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
                        daemon.send(SIGHUP)
                        let rejected = try await pollStatus(daemon.socketPath, timeout: .seconds(5)) {
                            $0.lastReload?.ok == false
                        }
                        let afterReject = try #require(
                            rejected,
                            "status never showed the rejected reload; log:\n\(daemon.log.suffix(3000))"
                        )
                        let message = afterReject.lastReload?.message ?? ""
                        #expect(message.contains(daemon.configPath), "\(message)")
                        #expect(message.contains("bogus_key"), "\(message)")
                        #expect(afterReject.providers.map(\.name) == ["loop", "second"])

                        // And the daemon still serves new streams.
                        try await FrameConnection.with(path: daemon.socketPath) { fresh in
                            try await fresh.send(
                                #"{"jsonrpc":"2.0","id":3,"method":"stream","params":{"input":{"text":"x"},"model":"fresh"}}"#
                            )
                            let (freshResponse, freshChunks) = try await fresh.readUntilResponse(id: 3)
                            #expect(freshChunks.compactMap { $0["content"] as? String }.joined() == "still serving")
                            #expect((freshResponse["result"] as? [String: Any])?["text"] as? String == "still serving")
                            #expect(daemon.process.isRunning)
                        }
                    }
                }
            }
        }
    }

    // MARK: SIGTERM

    @Test func sigtermDrainsRunningStreamsAndRefusesNewWork() async throws {
        try await LoopbackUpstream.with { upstream in
            // ≈3 s of streaming: the drain outlasts the checks below, even on a busy machine.
            let pieces = (0..<30).map { "d\($0) " }
            upstream.register(model: "slow", .stream(OpenAIStream(pieces: pieces, delay: .milliseconds(100))))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { running in
                    try await running.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"model":"slow"}}"#
                    )
                    let first = try #require(try await running.readMessage())
                    #expect(first["method"] as? String == "stream.chunk")
                    let firstContent = (first["params"] as? [String: Any])?["content"] as? String ?? ""

                    // A connection accepted before the signal, idle.
                    try await FrameConnection.with(path: daemon.socketPath) { idle in
                        try await idle.send(#"{"jsonrpc":"2.0","id":10,"method":"health"}"#)
                        #expect(
                            ((try await idle.readMessage())?["result"] as? [String: Any])?["status"] as? String == "ok"
                        )

                        daemon.send(SIGTERM)

                        // The listener is closed: new connections are refused (as soon as the daemon
                        // handled the signal; waited for, not slept for, as the machine may be busy).
                        let refusesNew = await eventually(within: .seconds(1)) {
                            await !DaemonProcess.answers(daemon.socketPath)
                        }
                        #expect(refusesNew, "a new connection should be refused while draining")
                        // The idle connection gets `shutting_down` for new work.
                        try await idle.send(
                            #"{"jsonrpc":"2.0","id":11,"method":"stream","params":{"input":{"text":"x"},"model":"slow"}}"#
                        )
                        let refused = try await idle.readUntilResponse(id: 11).response
                        #expect(refused.errorType == "shutting_down", "\(refused)")
                        #expect(refused.errorData?["retryable"] as? Bool == true)

                        // The running stream completes normally.
                        let (response, chunks) = try await running.readUntilResponse(id: 1)
                        #expect(
                            firstContent + chunks.compactMap { $0["content"] as? String }.joined() == pieces.joined()
                        )
                        #expect(
                            (response["result"] as? [String: Any])?["text"] as? String == pieces.joined(),
                            "\(response)"
                        )

                        let status = await daemon.waitForExit(timeout: .seconds(5))
                        #expect(status == 0, "log:\n\(daemon.log.suffix(3000))")
                        #expect(daemon.process.terminationReason == .exit)
                        #expect(
                            !FileManager.default.fileExists(atPath: daemon.socketPath),
                            "the socket file should be removed on exit"
                        )
                        // Only the stream admitted before SIGTERM reached the upstream.
                        #expect(upstream.requests().count == 1)
                    }
                }
            }
        }
    }

    @Test func drainDeadlineEndsRunningStreamsWithShuttingDown() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(
                model: "long",
                .stream(OpenAIStream(pieces: (0..<50).map { "l\($0) " }, delay: .milliseconds(100)))
            )
            let config = loopConfig(upstream.baseURL, extra: "server:\n  drain_timeout_ms: 300")
            try await DaemonProcess.with(config: config) { daemon in
                try await FrameConnection.with(path: daemon.socketPath) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"model":"long"}}"#
                    )
                    #expect(try await connection.readMessage()?["method"] as? String == "stream.chunk")

                    let signalledAt = ContinuousClock.now
                    daemon.send(SIGTERM)
                    let (response, chunks) = try await connection.readUntilResponse(id: 1)
                    let elapsed = ContinuousClock.now - signalledAt
                    #expect(!chunks.isEmpty, "chunks should keep flowing during the drain period")
                    #expect(response.errorType == "shutting_down", "\(response)")
                    #expect(response.errorData?["retryable"] as? Bool == true)
                    #expect(elapsed >= .milliseconds(250), "the stream was ended before the drain deadline: \(elapsed)")
                    #expect(elapsed < .seconds(2), "the stream outlived the drain deadline: \(elapsed)")

                    let closed = await upstream.waitForConnectionClose(model: "long", timeout: .seconds(1))
                    #expect(closed?.clientClosedAt != nil, "the upstream transfer should be aborted")
                    let status = await daemon.waitForExit(timeout: .seconds(5))
                    #expect(status == 0, "log:\n\(daemon.log.suffix(3000))")
                    #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
                }
            }
        }
    }

    // MARK: The socket file

    @Test func staleSocketIsReplaced() async throws {
        try await LoopbackUpstream.with { upstream in
            let directory = try DaemonProcess.makeDirectory()
            let path = directory.appendingPathComponent("d.sock").path
            try makeStaleSocket(at: path)
            var info = stat()
            let found = lstat(path, &info) == 0
            #expect(found && info.st_mode & S_IFMT == S_IFSOCK, "the stale socket file should exist")
            await #expect(throws: (any Error).self, "nothing should answer on the stale socket") {
                try await FrameConnection.with(path: path) { _ in }
            }

            let daemon: DaemonProcess
            do {
                daemon = try await DaemonProcess(config: loopConfig(upstream.baseURL), directory: directory)
            } catch {
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
            do {
                #expect(daemon.socketPath == path)
                let health = try await NeuroLinkClient.withConnection(socketPath: path) { try await $0.health() }
                #expect(health.status == "ok")
                #expect(daemon.log.contains("removed a stale socket"), "log:\n\(daemon.log.suffix(3000))")
            } catch {
                Issue.record("daemon log:\n\(daemon.log.suffix(3000))")
                await daemon.stop()
                throw error
            }
            await daemon.stop()
        }
    }

    @Test func secondDaemonRefusesASocketALiveDaemonServes() async throws {
        try await LoopbackUpstream.with { upstream in
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let second = try await runToCompletion(
                    DaemonProcess.binary("neurolinkd"),
                    ["--config", daemon.configPath, "--socket", daemon.socketPath],
                    environment: ["HOME": daemon.directory.path],
                    timeout: .seconds(5)
                )
                #expect(second.status == 69, "stdout: \(second.stdout)\nstderr: \(second.stderr)")
                #expect(second.stderr.contains("already serving"), "\(second.stderr)")
                // The first daemon is untouched, its socket file included.
                #expect(FileManager.default.fileExists(atPath: daemon.socketPath))
                let health = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) {
                    try await $0.health()
                }
                #expect(health.status == "ok")
                #expect(daemon.process.isRunning)
            }
        }
    }

    // MARK: Configuration

    @Test func checkConfigLocatesErrorsAndTheDaemonRefusesBadConfig() async throws {
        let directory = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.yaml").path
        let good = directory.appendingPathComponent("good.yaml").path
        // The typo `defualt_model` is on line 5.
        let badText = """
            providers:
              - name: loop
                type: openai-compatible
                base_url: http://127.0.0.1:9/v1
                defualt_model: m

            """
        try badText.write(toFile: bad, atomically: true, encoding: .utf8)
        try loopConfig("http://127.0.0.1:9/v1").write(toFile: good, atomically: true, encoding: .utf8)
        let environment = ["HOME": directory.path, "XDG_CONFIG_HOME": directory.path]
        let neurolinkd = DaemonProcess.binary("neurolinkd")

        let checkBad = try await runToCompletion(
            neurolinkd,
            ["--check-config", "--config", bad],
            environment: environment
        )
        #expect(checkBad.status == 78, "stdout: \(checkBad.stdout)\nstderr: \(checkBad.stderr)")
        #expect(checkBad.stderr.contains("bad.yaml:5:"), "\(checkBad.stderr)")
        #expect(checkBad.stderr.contains("providers[0].defualt_model"), "\(checkBad.stderr)")
        #expect(!checkBad.stdout.contains("configuration OK"))

        let checkGood = try await runToCompletion(
            neurolinkd,
            ["--check-config", "--config", good],
            environment: environment
        )
        #expect(checkGood.status == 0, "stdout: \(checkGood.stdout)\nstderr: \(checkGood.stderr)")
        #expect(checkGood.stdout.contains("configuration OK"), "\(checkGood.stdout)")
        #expect(checkGood.stdout.contains("loop"), "\(checkGood.stdout)")

        // Starting for real on the bad file fails the same way, without creating the socket.
        let socket = directory.appendingPathComponent("refused.sock").path
        let start = try await runToCompletion(
            neurolinkd,
            ["--config", bad, "--socket", socket],
            environment: environment
        )
        #expect(start.status == 78, "stdout: \(start.stdout)\nstderr: \(start.stderr)")
        #expect(start.stderr.contains("bad.yaml:5:"), "\(start.stderr)")
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    @Test func runsOnEnvironmentDefaultsWithoutAConfigFile() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["env ", "only"])))
            let directory = try DaemonProcess.makeDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let emptyHome = directory.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: emptyHome, withIntermediateDirectories: true)
            let socket = directory.appendingPathComponent("env.sock").path
            let daemon = try SpawnedProcess(
                DaemonProcess.binary("neurolinkd"),
                ["--socket", socket],
                environment: [
                    "HOME": emptyHome.path, "XDG_CONFIG_HOME": emptyHome.path,
                    "NEUROLINK_OPENAI_COMPATIBLE_BASE_URL": upstream.baseURL, "NEUROLINK_OPENAI_COMPATIBLE_MODEL": "m",
                ],
                outputDirectory: directory
            )
            do {
                try await daemon.waitUntilAnswering(socket)
                try await FrameConnection.with(path: socket) { connection in
                    try await connection.send(
                        #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"provider":"auto"}}"#
                    )
                    let (response, chunks) = try await connection.readUntilResponse(id: 1)
                    #expect(chunks.compactMap { $0["content"] as? String }.joined() == "env only")
                    let result = try #require(response["result"] as? [String: Any], "\(response)")
                    #expect(result["provider"] as? String == "openai-compatible")
                    #expect(result["text"] as? String == "env only")
                    #expect(upstream.requests().last?.model == "m")

                    let status = try await lifecycleStatus(socket)
                    #expect(status.configPath == nil)
                    #expect(status.providers.map(\.name) == ["openai-compatible"])
                }
            } catch {
                Issue.record("daemon output:\n\(daemon.stderr.suffix(3000))")
                await daemon.terminate()
                throw error
            }
            await daemon.terminate()
            #expect(daemon.exitStatus == 0, "daemon output:\n\(daemon.stderr.suffix(3000))")
        }
    }
}

// MARK: - Helpers

private func lifecycleStatus(_ socketPath: String) async throws -> StatusResult {
    try await NeuroLinkClient.withConnection(socketPath: socketPath) { try await $0.status() }
}

/// Polls `status` every 20 ms until `condition` holds; `nil` on timeout.
private func pollStatus(
    _ socketPath: String,
    timeout: Duration,
    until condition: (StatusResult) -> Bool
)
    async throws -> StatusResult?
{
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        let status = try await lifecycleStatus(socketPath)
        if condition(status) { return status }
        try await Task.sleep(for: .milliseconds(20))
    }
    return nil
}

/// Leaves a socket file at `path` that nothing listens on, as a killed daemon would.
private func makeStaleSocket(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw DaemonProcessError(message: "socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard result == 0 else { throw DaemonProcessError(message: "bind(\(path)) failed: errno \(errno)") }
    guard listen(fd, 1) == 0 else { throw DaemonProcessError(message: "listen(\(path)) failed: errno \(errno)") }
}

/// A process whose stdout and stderr go to files, with a bounded wait for its exit.
private final class SpawnedProcess: @unchecked Sendable {
    let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL

    init(_ path: String, _ arguments: [String], environment: [String: String], outputDirectory: URL) throws {
        let tag = UUID().uuidString.prefix(6)
        stdoutURL = outputDirectory.appendingPathComponent("out-\(tag).log")
        stderrURL = outputDirectory.appendingPathComponent("err-\(tag).log")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ["PATH": "/usr/bin:/bin"]
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    func waitUntilAnswering(_ socketPath: String, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, process.isRunning {
            if await DaemonProcess.answers(socketPath) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw DaemonProcessError(message: "the daemon did not start answering on \(socketPath); stderr:\n\(stderr)")
    }

    /// The exit status, or `nil` if the process is still running after `timeout` (it is then killed).
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
            return nil
        }
        return process.terminationStatus
    }

    func terminate() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        _ = await waitForExit(timeout: .seconds(5))
    }
}

/// Runs a tool to completion (killing it after `timeout`) and collects its output.
private func runToCompletion(
    _ path: String,
    _ arguments: [String],
    environment: [String: String],
    timeout: Duration = .seconds(10)
) async throws -> CommandResult {
    let directory = try DaemonProcess.makeDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let spawned = try SpawnedProcess(path, arguments, environment: environment, outputDirectory: directory)
    guard let status = await spawned.waitForExit(timeout: timeout) else {
        Issue.record("\(path) \(arguments) did not exit within \(timeout); stderr:\n\(spawned.stderr)")
        return CommandResult(status: -1, stdout: spawned.stdout, stderr: spawned.stderr)
    }
    return CommandResult(status: status, stdout: spawned.stdout, stderr: spawned.stderr)
}
