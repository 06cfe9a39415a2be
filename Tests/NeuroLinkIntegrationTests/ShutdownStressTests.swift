import Foundation
import LoopbackUpstream
import NeuroLinkTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Starts and stops the daemon many times with SIGTERM at random moments — while it starts, idle,
/// with idle connections, with a stream in flight, during a reload — with the other core busy.
/// Every stop must exit 0, within a second when no request runs, and a stream in flight must get
/// its result or `shutting_down`.
///
/// `NEUROLINK_SHUTDOWN_STRESS_RUNS` sets the number of starts (default 30; docs/robustness.md
/// records a run of 1,000).
@Suite struct ShutdownStressSerialTests {
    enum Moment: String, CaseIterable {
        case starting, idle, idleConnections, streaming, reloading
    }

    static var runs: Int {
        ProcessInfo.processInfo.environment["NEUROLINK_SHUTDOWN_STRESS_RUNS"].flatMap(Int.init) ?? 30
    }

    @Test func everyStopAtARandomMomentExitsZeroPromptly() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.register(
                model: "slow",
                .stream(OpenAIStream(pieces: ["a", "b", "c", "d"], delay: .milliseconds(50)))
            )
            let load = try BusyLoad.start()
            defer { load.stop() }
            var generator = SeededGenerator(seed: UInt64(Date().timeIntervalSince1970))
            var failures: [String] = []
            var counts: [Moment: Int] = [:]
            for run in 0..<Self.runs {
                let moment = Moment.allCases.randomElement(using: &generator) ?? .idle
                counts[moment, default: 0] += 1
                let delay = Duration.milliseconds(Int.random(in: 0...200, using: &generator))
                if let failure = try await Self.startAndStop(upstream: upstream, moment: moment, delay: delay) {
                    failures.append("run \(run) (\(moment.rawValue), \(delay)): \(failure)")
                    if failures.count >= 5 { break }
                }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            print("shutdown stress: \(Self.runs) starts, \(failures.count) failures, moments \(counts)")
        }
    }

    /// One start and stop; the description of what went wrong, or `nil`.
    static func startAndStop(upstream: LoopbackUpstream, moment: Moment, delay: Duration) async throws -> String? {
        let daemon = try await DaemonProcess(config: loopConfig(upstream.baseURL), waitForSocket: false)
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var stream: Task<String?, any Error>?
        do {
            try await waitUntilTrappingSIGTERM(daemon.process.processIdentifier)
            switch moment {
            case .starting:
                try await Task.sleep(for: delay)
            case .idle:
                try await daemon.waitUntilAnswering()
                try await Task.sleep(for: delay / 2)
            case .idleConnections:
                try await daemon.waitUntilAnswering()
                sockets = (0..<Int.random(in: 0...4)).compactMap { _ in connectRaw(daemon.socketPath) }
                try await Task.sleep(for: delay)
            case .streaming:
                try await daemon.waitUntilAnswering()
                stream = try await startStream(daemon.socketPath)
            case .reloading:
                try await daemon.waitUntilAnswering()
                daemon.send(SIGHUP)
                try await Task.sleep(for: delay / 4)
            }
        } catch {
            await daemon.stop()
            return "setup: \(error)"
        }
        let stopped = ContinuousClock.now
        daemon.send(SIGTERM)
        let status = await daemon.waitForExit(timeout: .seconds(10))
        let took = ContinuousClock.now - stopped
        let streamProblem = try await stream?.value
        let log = daemon.log
        await daemon.stop()
        guard let status else { return "did not exit within 10 s; log:\n\(log.suffix(2000))" }
        guard daemon.process.terminationReason == .exit, status == 0 else {
            return
                "exit \(status) (\(daemon.process.terminationReason == .exit ? "status" : "signal")); log:\n\(log.suffix(2000))"
        }
        let bound: Duration = moment == .streaming ? .milliseconds(1500) : .seconds(1)
        if took > bound { return "took \(took) to exit" }
        return streamProblem
    }

    /// Starts a stream and returns once its first chunk arrived; the task's value says what was
    /// wrong with how the stream ended, or `nil` when it finished or got `shutting_down`.
    static func startStream(_ socketPath: String) async throws -> Task<String?, any Error> {
        let (started, signal) = AsyncStream.makeStream(of: Void.self)
        let task = Task<String?, any Error> {
            try await FrameConnection.with(path: socketPath) { connection in
                try await connection.send(
                    #"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"x"},"model":"slow"}}"#
                )
                _ = try await connection.readMessage()
                signal.yield()
                let (response, _) = try await connection.readUntilResponse(id: 1)
                if response["result"] != nil || response.errorType == "shutting_down" { return nil }
                return "the stream ended with \(response)"
            }
        }
        for await _ in started { break }
        return task
    }

    /// Waits until the process has its SIGTERM handler (`SigCgt` in /proc): before that, the
    /// dynamic loader is still mapping libraries and a SIGTERM's default action applies.
    static func waitUntilTrappingSIGTERM(_ pid: Int32) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("SigCgt:") }
            if let hex = line?.split(separator: "\t").last, let mask = UInt64(hex, radix: 16),
                mask & (1 << (UInt64(SIGTERM) - 1)) != 0
            {
                return
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw DaemonProcessError(message: "the daemon never trapped SIGTERM")
    }
}

/// Keeps one core busy (the stress runs "under load on the other core").
private struct BusyLoad {
    let process: Process

    static func start() throws -> BusyLoad {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/yes")
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return BusyLoad(process: process)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
    }
}
