import Foundation
import NeuroLinkClient
import NeuroLinkTestSupport
import Testing

/// A real `neurolinkd` process on a temporary socket, for integration tests.
final class DaemonProcess: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let configPath: String
    let process: Process
    private let logURL: URL

    /// Where the package's binaries are: next to the test bundle.
    static let binDirectory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("neurolinkd").path) { return url }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug")
    }()

    static func binary(_ name: String) -> String { binDirectory.appendingPathComponent(name).path }

    /// A short temporary directory (socket paths must stay under 108 bytes).
    static func makeDirectory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/nlt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts the daemon with `config` (YAML) and waits until its socket accepts connections.
    ///
    /// `launcher` runs the daemon through another program (e.g. `systemd-socket-activate -l PATH`):
    /// the process started is `launcher[0]` with `launcher[1...]`, then the daemon's path and arguments.
    init(
        config: String,
        environment: [String: String] = [:],
        arguments: [String] = [],
        directory: URL? = nil,
        waitForSocket: Bool = true,
        launcher: [String] = []
    ) async throws {
        self.directory = try directory ?? Self.makeDirectory()
        socketPath = self.directory.appendingPathComponent("d.sock").path
        configPath = self.directory.appendingPathComponent("neurolinkd.yaml").path
        logURL = self.directory.appendingPathComponent("daemon.log")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process = Process()
        let daemonArguments = ["--config", configPath, "--socket", socketPath] + arguments
        if let tool = launcher.first {
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = Array(launcher.dropFirst()) + [Self.binary("neurolinkd")] + daemonArguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary("neurolinkd"))
            process.arguments = daemonArguments
        }
        var env = [
            "PATH": "/usr/bin:/bin", "HOME": self.directory.path, "NEUROLINK_LOG_LEVEL": "debug",
            // The analytics database's directory, as systemd's StateDirectory= sets it: never the
            // system's /var/lib/neurolink, even when the tests run as root.
            "STATE_DIRECTORY": self.directory.appendingPathComponent("state").path,
        ]
        env.merge(environment) { $1 }
        process.environment = env
        let log = try FileHandle(forWritingTo: logURL)
        process.standardError = log
        process.standardOutput = log
        try process.run()
        guard waitForSocket else { return }
        do {
            try await waitUntilAnswering()
        } catch {
            // A daemon that never answered must not outlive the test (nor keep its directory).
            await stop()
            throw error
        }
    }

    func waitUntilAnswering(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await Self.answers(socketPath) { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw DaemonProcessError(message: "daemon did not start; log:\n\(log)")
    }

    /// Whether a daemon accepts a connection on `socketPath` now.
    static func answers(_ socketPath: String) async -> Bool {
        (try? await FrameConnection.with(path: socketPath) { _ in }) != nil
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// The analytics database of a daemon that does not set `analytics.path`.
    var analyticsPath: String { directory.appendingPathComponent("state/analytics.sqlite").path }

    /// Waits for the process to exit and returns its status, or `nil` on timeout.
    func waitForExit(timeout: Duration = .seconds(10)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Resident set size in KiB, from /proc.
    var rssKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func stop() async {
        if process.isRunning {
            send(SIGTERM)
            if await waitForExit(timeout: .seconds(5)) == nil {
                send(SIGKILL)
                _ = await waitForExit()
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a daemon and always stops it afterwards.
    static func with<T>(
        config: String,
        environment: [String: String] = [:],
        directory: URL? = nil,
        _ body: (DaemonProcess) async throws -> T
    )
        async throws -> T
    {
        let daemon = try await DaemonProcess(config: config, environment: environment, directory: directory)
        do {
            let result = try await body(daemon)
            await daemon.stop()
            return result
        } catch {
            let log = daemon.log
            await daemon.stop()
            Issue.record("daemon log:\n\(log.suffix(4000))")
            throw error
        }
    }
}

extension DaemonProcess {
    /// Runs `body` with a daemon and one client connection to it; stops the daemon afterwards.
    static func withClient<T: Sendable>(
        config: String,
        environment: [String: String] = [:],
        directory: URL? = nil,
        _ body: (DaemonProcess, NeuroLinkClient) async throws -> T
    ) async throws -> T {
        try await with(config: config, environment: environment, directory: directory) { daemon in
            try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                try await body(daemon, client)
            }
        }
    }
}

struct DaemonProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A config with one `openai-compatible` provider named `loop` pointing at `baseURL`.
func loopConfig(_ baseURL: String, extra: String = "", timeouts: String = "") -> String {
    """
    providers:
      - name: loop
        type: openai-compatible
        base_url: \(baseURL)
        default_model: loop-model
    \(extra)
    \(timeouts)
    """
}

/// Runs a command-line tool and collects its output.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

func runTool(
    _ path: String,
    _ arguments: [String],
    stdin: String? = nil,
    environment: [String: String] = [:]
) async throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ["PATH": "/usr/bin:/bin", "HOME": "/tmp"]
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    async let stdoutData = readToEnd(out.fileHandleForReading)
    async let stderrData = readToEnd(err.fileHandleForReading)
    let (o, e) = await (stdoutData, stderrData)
    // Not waitUntilExit(): on Linux it spins a run loop at 100% CPU.
    while process.isRunning { try await Task.sleep(for: .milliseconds(2)) }
    return CommandResult(
        status: process.terminationStatus,
        stdout: String(decoding: o, as: UTF8.self),
        stderr: String(decoding: e, as: UTF8.self)
    )
}

/// Reads a pipe to its end on its own thread, keeping blocking reads off the cooperative pool.
func readToEnd(_ handle: FileHandle) async -> Data {
    await onOwnThread { handle.readDataToEndOfFile() }
}

/// Runs blocking `body` on a thread of its own, keeping it off the cooperative pool.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// Polls `condition` every 10 ms until it holds; whether it did within `timeout`.
func eventually(within timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
