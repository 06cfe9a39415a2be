import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol

/// Daemon memory per open stream: `count` streams whose upstream sent headers and then nothing.
enum IdleStreams {
    struct Result: Sendable {
        var streams: Int
        var rssBeforeKiB: Int
        var rssOpenKiB: Int
        var rssAfterCancelKiB: Int
        /// From starting the first stream to the upstream holding all of them.
        var openTime: Duration
        /// From cancelling to the upstream seeing every connection closed; `nil` if it never did.
        var cancelTime: Duration?
        var daemonThreads: Int?
        /// Daemon CPU while holding every stream open with nothing arriving, in % of one core.
        var idleCPUPercent: Double
    }

    static func run(daemon: DaemonHarness, upstream: LoopbackUpstream, count: Int) async throws -> Result {
        func stalled() -> (open: Int, closed: Int) {
            var open = 0
            var closed = 0
            for request in upstream.requests() where request.model == Model.stall {
                open += 1
                if request.clientClosedAt != nil { closed += 1 }
            }
            return (open, closed)
        }
        let baseline = stalled()
        let rssBefore = daemon.rssKiB
        let socket = daemon.socketPath
        let start = ContinuousClock.now

        return try await withThrowingTaskGroup(of: Void.self) { group in
            for streams in Throughput.connections(for: count) {
                group.addTask {
                    try await NeuroLinkClient.withConnection(socketPath: socket) { client in
                        await withTaskGroup(of: Void.self) { inner in
                            for _ in 0..<streams {
                                inner.addTask {
                                    // Ends when cancelled (the client then sends `cancel`).
                                    do { for try await _ in client.stream(Model.request(Model.stall)) {} } catch {}
                                }
                            }
                        }
                    }
                }
            }

            // Wait (at most 60 s) until the upstream holds every stream.
            var opened = 0
            for _ in 0..<1200 {
                opened = stalled().open - baseline.open
                if opened >= count { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let openTime = ContinuousClock.now - start
            guard opened >= count else {
                group.cancelAll()
                throw BenchError.failed("only \(opened) of \(count) stalled streams reached the upstream in 60 s")
            }
            try await Task.sleep(for: .seconds(1))  // let allocations settle
            let rssOpen = daemon.rssKiB
            let ticks = daemon.cpuTicks
            let window = ContinuousClock.now
            try await Task.sleep(for: .seconds(2))
            let idleCPU = ProcStats.cpuMs(ticks: daemon.cpuTicks - ticks) / (ContinuousClock.now - window).ms * 100
            let threads = ProcStats.threads(pid: daemon.pid)

            let cancelStart = ContinuousClock.now
            group.cancelAll()
            try? await group.waitForAll()
            var cancelTime: Duration?
            for _ in 0..<600 {  // at most 30 s
                if stalled().closed - baseline.closed >= count {
                    cancelTime = .now - cancelStart
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .seconds(1))
            return Result(
                streams: count,
                rssBeforeKiB: rssBefore,
                rssOpenKiB: rssOpen,
                rssAfterCancelKiB: daemon.rssKiB,
                openTime: openTime,
                cancelTime: cancelTime,
                daemonThreads: threads,
                idleCPUPercent: idleCPU
            )
        }
    }
}
