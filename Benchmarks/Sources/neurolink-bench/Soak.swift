import NeuroLinkClient
import NeuroLinkProtocol
import Synchronization

/// Continuous streams for a while, watching the daemon's RSS for growth.
enum Soak {
    struct Sample: Sendable {
        var at: Duration
        var rssKiB: Int
    }

    struct Result: Sendable {
        var seconds: Int
        var workers: Int
        var samples: [Sample]
        var requests: Int
        var chunks: Int
        var failures: Int

        var first: Int { samples.first?.rssKiB ?? 0 }
        var last: Int { samples.last?.rssKiB ?? 0 }
        var max: Int { samples.map(\.rssKiB).max() ?? 0 }
        var growthKiB: Int { last - first }
        /// RSS after the first minute: allocator pools and caches have grown to their working size by then.
        var afterWarmup: Int { samples.first { $0.at >= .seconds(60) }?.rssKiB ?? first }
        /// Growth over the second half of the soak, in KiB per minute.
        var slopeKiBPerMinute: Double {
            let tail = samples.suffix(Swift.max(samples.count / 2, 2))
            guard let a = tail.first, let b = tail.last, b.at > a.at else { return 0 }
            return Double(b.rssKiB - a.rssKiB) / (b.at - a.at).seconds * 60
        }
        /// "No growth": RSS at the end at most 2 MiB (or 5 %) above RSS after warm-up.
        var passes: Bool { last - afterWarmup <= Swift.max(2048, afterWarmup / 20) }
    }

    private struct Totals: Sendable {
        var requests = 0
        var chunks = 0
        var failures = 0
    }

    /// `workers` concurrent streams for `seconds`; each worker reconnects every 100 requests, so
    /// connection setup and teardown are part of the soak too.
    static func run(daemon: DaemonHarness, seconds: Int, workers: Int = 20) async throws -> Result {
        let socket = daemon.socketPath
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)
        let totals = Shared(Totals())
        let samples = Shared<[Sample]>([])
        let pid = daemon.pid

        try await withDeadline(.seconds(seconds + 120), "soak") {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for tick in 1...(seconds / 10) {
                        let due = start + .seconds(tick * 10)
                        try? await Task.sleep(until: due, clock: .continuous)
                        if Task.isCancelled { return }
                        let rss = ProcStats.rssKiB(pid: pid) ?? 0
                        samples.withLock { $0.append(Sample(at: .now - start, rssKiB: rss)) }
                        let requests = totals.withLock { $0.requests }
                        note("soak \(tick * 10) s: daemon RSS \(fmt(Double(rss) / 1024)) MiB, \(requests) requests")
                    }
                }
                for _ in 0..<workers {
                    group.addTask {
                        // At most one request per 2 ms per worker: bounded by count as well as time.
                        var remaining = seconds * 500
                        while ContinuousClock.now < end, remaining > 0, !Task.isCancelled {
                            do {
                                try await NeuroLinkClient.withConnection(socketPath: socket) { client in
                                    for _ in 0..<100 where ContinuousClock.now < end && remaining > 0 {
                                        remaining -= 1
                                        var texts = 0
                                        do {
                                            for try await chunk in client.stream(Model.request(Model.soak))
                                            where chunk.type == .text {
                                                texts += 1
                                            }
                                            let ok = texts == Model.soakPieces
                                            totals.withLock {
                                                $0.requests += 1
                                                $0.chunks += texts
                                                if !ok { $0.failures += 1 }
                                            }
                                        } catch {
                                            totals.withLock { $0.failures += 1 }
                                        }
                                    }
                                }
                            } catch {
                                totals.withLock { $0.failures += 1 }
                                try? await Task.sleep(for: .milliseconds(100))
                            }
                        }
                    }
                }
            }
        }
        let t = totals.withLock { $0 }
        return Result(
            seconds: seconds,
            workers: workers,
            samples: samples.withLock { $0 },
            requests: t.requests,
            chunks: t.chunks,
            failures: t.failures
        )
    }
}
