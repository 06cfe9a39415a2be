import Foundation
import NeuroLinkClient
import NeuroLinkProtocol

/// What recording every request costs: two daemons on one upstream, one with analytics (the
/// default) and one with `analytics.enabled: false`, measured in alternating rounds of the same
/// run so that drift in the machine's load falls on both alike.
enum AnalyticsCost {
    struct Side: Sendable {
        /// Microseconds to the first chunk, sequential requests.
        var ttft: [Double] = []
        var requests = 0
        var seconds = 0.0
        /// Daemon CPU over the bursts, the writer's next flush included.
        var cpuMs = 0.0

        var requestsPerSecond: Double { Double(requests) / max(seconds, 1e-9) }
        var cpuUsPerRequest: Double { cpuMs * 1000 / Double(max(requests, 1)) }
    }

    struct Result: Sendable {
        var on = Side()
        var off = Side()
        var rounds: Int
        var concurrency: Int
    }

    static func run(
        daemonPath: String,
        baseURL: String,
        rounds: Int,
        ttftCount: Int,
        burst: Int,
        concurrency: Int
    ) async throws -> Result {
        let on = try DaemonHarness(binary: daemonPath, upstreamBaseURL: baseURL)
        defer { on.stop() }
        let off = try DaemonHarness(
            binary: daemonPath,
            upstreamBaseURL: baseURL,
            extraConfig: "analytics:\n  enabled: false"
        )
        defer { off.stop() }
        _ = try on.waitUntilAccepting()
        _ = try off.waitUntilAccepting()
        var result = Result(rounds: rounds, concurrency: concurrency)
        for daemon in [on, off] {
            _ = try await TTFT.throughDaemon(socket: daemon.socketPath, count: 0, warmup: 20)
            _ = try await requests(daemon, count: burst / 4, concurrency: concurrency)
        }
        for round in 0..<rounds {
            // Alternate which side goes first.
            for enabled in round.isMultiple(of: 2) ? [true, false] : [false, true] {
                let daemon = enabled ? on : off
                let ttft = try await TTFT.throughDaemon(socket: daemon.socketPath, count: ttftCount, warmup: 5)
                let (seconds, cpuMs) = try await requests(daemon, count: burst, concurrency: concurrency)
                note(
                    "analytics \(enabled ? "on " : "off"): ttft p50 \(fmt(Percentiles(ttft).p50, 0)) µs, "
                        + "\(fmt(Double(burst) / seconds, 0)) requests/s, \(fmt(cpuMs * 1000 / Double(burst), 1)) µs CPU each"
                )
                if enabled {
                    result.on.ttft += ttft
                    result.on.add(requests: burst, seconds: seconds, cpuMs: cpuMs)
                } else {
                    result.off.ttft += ttft
                    result.off.add(requests: burst, seconds: seconds, cpuMs: cpuMs)
                }
            }
            note("analytics on/off: round \(round + 1)/\(rounds)")
        }
        guard on.isRunning, off.isRunning else { throw BenchError.failed("a daemon exited during the analytics runs") }
        return result
    }

    /// `count` one-chunk requests over `concurrency` connections, each sending its share one after
    /// another; returns the wall time and the daemon's CPU (read after the writer's next flush).
    private static func requests(
        _ daemon: DaemonHarness,
        count: Int,
        concurrency: Int
    ) async throws -> (seconds: Double, cpuMs: Double) {
        let before = daemon.cpuTicks
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                let share = count / concurrency + (worker < count % concurrency ? 1 : 0)
                group.addTask {
                    try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                        for _ in 0..<share { _ = try await client.generate(Model.request(Model.ttft)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        // Longer than analytics.flush_interval_ms (1 s): the rows of this burst are written by now.
        try await Task.sleep(for: .milliseconds(1200))
        return (elapsed.seconds, ProcStats.cpuMs(ticks: daemon.cpuTicks - before))
    }

    static func tableRows(_ result: Result) -> [String] {
        let on = Percentiles(result.on.ttft)
        let off = Percentiles(result.off.ttft)
        let recording = result.on.cpuUsPerRequest - result.off.cpuUsPerRequest
        let label = "\(result.rounds) alternating rounds"
        return [
            "| Analytics on / off, TTFT p50 / p99 (\(label), \(on.sorted.count) requests each) | "
                + "\(fmt(on.p50, 0)) / \(fmt(on.p99, 0)) µs vs \(fmt(off.p50, 0)) / \(fmt(off.p99, 0)) µs "
                + "(p50 \(signed(on.p50 - off.p50, 0)) µs) | no measurable difference | (reference) |",
            "| Analytics on / off, requests per second (one chunk each, \(result.concurrency) connections) | "
                + "\(Int(result.on.requestsPerSecond).formatted()) vs \(Int(result.off.requestsPerSecond).formatted()) "
                + "(×\(fmt(result.on.requestsPerSecond / result.off.requestsPerSecond, 3))) | | (reference) |",
            "| Analytics on / off, daemon CPU per request (flush included) | \(fmt(result.on.cpuUsPerRequest, 1)) vs "
                + "\(fmt(result.off.cpuUsPerRequest, 1)) µs: recording costs \(signed(recording, 1)) µs | | (reference) |",
        ]
    }
}

extension AnalyticsCost.Side {
    mutating func add(requests count: Int, seconds elapsed: Double, cpuMs cpu: Double) {
        requests += count
        seconds += elapsed
        cpuMs += cpu
    }
}
