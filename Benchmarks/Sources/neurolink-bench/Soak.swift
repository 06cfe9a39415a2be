import NeuroLinkClient
import NeuroLinkProtocol
import Synchronization

/// Continuous streams for a while, watching the daemon's RSS for growth; with `faults`, every third
/// request of each worker is a faulty one (``SoakFault``), and the daemon must survive them all.
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
        /// Normal requests that did not return their whole answer: must be 0.
        var failures: Int
        /// Whether faulty requests were mixed in (`--faults`).
        var faults: Bool = false
        /// Whether the daemon ran with every stage on (`--all-stages`).
        var allStages: Bool = false
        var faultyRequests: Int = 0
        /// How the faulty requests ended: error type (or `ok`, `client`) → count.
        var faultOutcomes: [String: Int] = [:]
        /// Times the daemon process was found dead; the soak stops at the first. Must be 0.
        var crashes: Int = 0

        var first: Int { samples.first?.rssKiB ?? 0 }
        var last: Int { samples.last?.rssKiB ?? 0 }
        var max: Int { samples.map(\.rssKiB).max() ?? 0 }
        var growthKiB: Int { last - first }
        /// RSS after the first minute: allocator pools and caches have grown to their working size by then.
        var afterWarmup: Int { samples.first { $0.at >= .seconds(60) }?.rssKiB ?? first }
        /// Growth over the second half of the soak, in KiB per minute: the least-squares slope of
        /// its samples, so one noisy sample at either end does not decide it.
        var slopeKiBPerMinute: Double {
            let tail = samples.suffix(Swift.max(samples.count / 2, 2))
            guard tail.count >= 2 else { return 0 }
            let xs = tail.map { $0.at.seconds / 60 }
            let ys = tail.map { Double($0.rssKiB) }
            let mx = xs.reduce(0, +) / Double(xs.count)
            let my = ys.reduce(0, +) / Double(ys.count)
            let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
            guard sxx > 0 else { return 0 }
            return zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / sxx
        }
        /// "No growth": RSS at the end at most 2 MiB (or 5 %) above RSS after warm-up.
        var passes: Bool { last - afterWarmup <= growthBoundKiB }
        var growthBoundKiB: Int { Swift.max(2048, afterWarmup / 20) }
        /// The second half's trend (``slopeKiBPerMinute``) carried across the second half, in KiB.
        var secondHalfTrendKiB: Double { slopeKiBPerMinute * Double(seconds) / 120 }
        /// Memory flat: no growth, and the second half's trend within the same bound, so a slow
        /// leak hidden by noise at the end still shows (over an hour: at most ≈ 68 KiB/min).
        var memoryFlat: Bool { passes && secondHalfTrendKiB <= Double(growthBoundKiB) }
        /// The soak's verdict: memory flat, no daemon crash, every normal request whole.
        var verdict: Bool { memoryFlat && crashes == 0 && failures == 0 }
    }

    private struct Totals: Sendable {
        var requests = 0
        var chunks = 0
        var failures = 0
        var faultyRequests = 0
        var faultOutcomes: [String: Int] = [:]
        var crashed = false
    }

    private static let expectedAnswer = String(repeating: "tok ", count: Model.soakPieces)

    /// The soak's normal request. With `allStages`, prompts carry an e-mail address (input
    /// redaction); odd rounds cycle through 32 prompts per worker (exact and semantic cache hits
    /// after the first cycle), even rounds use the worker's session (memory, so every one is new).
    private static func soakRequest(worker: Int, round: Int, allStages: Bool) -> StreamRequest {
        guard allStages else { return Model.request(Model.soak) }
        var request = StreamRequest(
            prompt: "soak worker \(worker) prompt \(round % 64), reply to w\(worker)@example.com",
            model: Model.soak
        )
        if round.isMultiple(of: 2) { request.context = ["sessionId": .string("soak-\(worker)")] }
        return request
    }

    /// `workers` concurrent streams for `seconds`; each worker reconnects every 100 requests, so
    /// connection setup and teardown are part of the soak too. With `faults`, each worker's every
    /// third request is a faulty one on a connection of its own, cycling through ``SoakFault``.
    static func run(
        daemon: DaemonHarness,
        seconds: Int,
        workers: Int = 20,
        faults: Bool = false,
        allStages: Bool = false
    ) async throws -> Result {
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
                        guard daemon.isRunning else {
                            totals.withLock { $0.crashed = true }
                            note("soak \(tick * 10) s: the daemon is gone; log:\n\(daemon.logTail)")
                            return
                        }
                        let rss = ProcStats.rssKiB(pid: pid) ?? 0
                        samples.withLock { $0.append(Sample(at: .now - start, rssKiB: rss)) }
                        let requests = totals.withLock { $0.requests }
                        // Anonymous vs file-backed memory and the thread count tell a step in RSS from
                        // a leak: a library page touched for the first time, or a new thread's stack.
                        let split = ProcStats.rssSplitKiB(pid: pid).map {
                            " (anon \(fmt(Double($0.anon) / 1024)), file \(fmt(Double($0.file) / 1024)))"
                        }
                        let threads = ProcStats.threads(pid: pid).map { ", \($0) threads" } ?? ""
                        note(
                            "soak \(tick * 10) s: daemon RSS \(fmt(Double(rss) / 1024)) MiB\(split ?? "")\(threads), "
                                + "\(requests) requests"
                        )
                    }
                }
                for worker in 0..<workers {
                    group.addTask {
                        // At most one request per 2 ms per worker: bounded by count as well as time.
                        var remaining = seconds * 500
                        var round = 0
                        func goOn() -> Bool {
                            ContinuousClock.now < end && remaining > 0 && !Task.isCancelled
                                && !totals.withLock { $0.crashed }
                        }
                        while goOn() {
                            do {
                                try await NeuroLinkClient.withConnection(socketPath: socket) { client in
                                    for _ in 0..<100 where goOn() {
                                        remaining -= 1
                                        round += 1
                                        if faults, round % 3 == 0 {
                                            let all = SoakFault.allCases
                                            let fault = all[(worker + round / 3) % all.count]
                                            let outcome = await fault.run(socket: socket)
                                            totals.withLock {
                                                $0.faultyRequests += 1
                                                $0.faultOutcomes["\(fault.rawValue) → \(outcome)", default: 0] += 1
                                            }
                                            continue
                                        }
                                        var texts = 0
                                        var answer = ""
                                        let request = soakRequest(worker: worker, round: round, allStages: allStages)
                                        do {
                                            for try await chunk in client.stream(request) where chunk.type == .text {
                                                texts += 1
                                                answer += chunk.content ?? ""
                                            }
                                            // A cache hit may replay the answer in fewer chunks: its text decides.
                                            let ok = answer == expectedAnswer
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
        if !daemon.isRunning { totals.withLock { $0.crashed = true } }
        let t = totals.withLock { $0 }
        return Result(
            seconds: seconds,
            workers: workers,
            samples: samples.withLock { $0 },
            requests: t.requests,
            chunks: t.chunks,
            failures: t.failures,
            faults: faults,
            allStages: allStages,
            faultyRequests: t.faultyRequests,
            faultOutcomes: t.faultOutcomes,
            crashes: t.crashed ? 1 : 0
        )
    }
}
