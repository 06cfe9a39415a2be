import Foundation
import NIOCore
import NIOPosix
import Testing

/// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's choice for port 0).
func unusedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 0
    try await channel.close()
    return port
}

/// `curl` against loopback: the body, or throws when curl fails or the status is not 2xx.
func curl(_ arguments: [String]) async throws -> String {
    let run = try await runTool("/usr/bin/curl", ["-sS", "--fail", "--max-time", "10"] + arguments)
    guard run.status == 0 else { throw DaemonProcessError(message: "curl \(arguments): \(run.stderr)") }
    return run.stdout
}

/// A program from a Debian package the tests need (`scripts/test.sh` installs it).
func requiredTool(_ path: String, package: String) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw DaemonProcessError(
            message: "\(path) is missing: install Debian's \(package) (scripts/bootstrap.sh --tests)"
        )
    }
    return path
}

/// A server from a Debian package, run for one test in its own directory, stopped afterwards.
final class ExternalServer: Sendable {
    let process: Process
    let directory: URL
    let port: Int

    init(_ tool: String, arguments: (_ directory: URL, _ port: Int) throws -> [String]) async throws {
        directory = try DaemonProcess.makeDirectory()
        port = try await unusedPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = try arguments(directory, port)
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Polls `url` until it answers 2xx.
    func waitUntilAnswering(_ path: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await curl(["http://127.0.0.1:\(port)\(path)"])) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DaemonProcessError(
            message: "\(process.executableURL?.path ?? "server") never answered:\n\(log.suffix(2000))"
        )
    }
}

/// The value of the sample `name{labels}` (labels written as in the text format) in a Prometheus
/// text exposition, or `nil` when there is no such line.
func sample(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}
