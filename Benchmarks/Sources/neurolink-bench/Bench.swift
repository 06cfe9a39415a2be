import Foundation
import LoopbackUpstream
import NeuroLinkCore

@main
struct Bench {
    static func main() async {
        if CommandLine.arguments.dropFirst().first == RelayFloor.command {
            exit(RelayFloor.childMain(Array(CommandLine.arguments.dropFirst(2))))
        }
        let options: Options
        do { options = try Options.parse(Array(CommandLine.arguments.dropFirst())) } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(64)
        }
        signal(SIGPIPE, SIG_IGN)
        do {
            let report = try await run(options)
            print(report.markdown())
            try compareAndRecord(report, options)
        } catch {
            FileHandle.standardError.write(Data("neurolink-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Prints the comparison with the recorded figures, and records this run's with `--record`.
    static func compareAndRecord(_ report: Report, _ options: Options) throws {
        guard let path = options.figuresPath else { return }
        if let recorded = RecordedFigures.load(path) {
            let lines = RecordedFigures.comparison(report.headlineFigures, quick: report.quick, against: recorded)
            print(lines.joined(separator: "\n"))
        } else {
            print("\n(no recorded figures in \(path) to compare with)")
        }
        guard options.record else { return }
        try RecordedFigures(report, commit: options.commit).save(path)
        note("recorded this run's figures in \(path)")
    }

    static func run(_ options: Options) async throws -> Report {
        var report = Report(quick: options.quick)
        report.fileLimit = raiseFileLimit()
        note("open-file limit: \(report.fileLimit)")

        // Admission overhead first: in process, before any daemon or upstream adds load.
        if options.runs(.admission) {
            let iterations = options.quick ? 20_000 : 500_000
            note("admission overhead: \(iterations) requests per scenario")
            report.admission = await AdmissionOverhead.run(iterations: iterations, warmup: iterations / 10)
        }
        if options.runs(.writer) {
            let rows = options.quick ? 20_000 : 200_000
            note("analytics writer: \(rows) rows")
            report.writer = try await WriterCapacity.run(rows: rows)
        }
        if options.runs(.decode) {
            let events = options.quick ? 100_000 : 1_000_000
            note("provider event decoding: \(events) events")
            report.decode = try DecodeCost.run(events: events)
        }
        guard options.needsUpstream else { return report }

        let levels: [Throughput.Level] =
            options.quick
            ? [.init(streams: 1, pieces: 10_000), .init(streams: 100, pieces: 200), .init(streams: 1000, pieces: 20)]
            : [
                .init(streams: 1, pieces: 50_000), .init(streams: 100, pieces: 1_000),
                .init(streams: 1000, pieces: 100),
            ]
        let ttftCount = options.quick ? 50 : 200
        let ttftWarmup = options.quick ? 10 : 20
        let launches = options.quick ? 3 : 5

        note("starting the loopback upstream (2 threads)")
        let upstream = try await LoopbackUpstream.start(threads: 2)
        let paced = [
            Throughput.Level(streams: 100, pieces: options.quick ? 100 : 500, pacing: Model.pacedDelay),
            Throughput.Level(streams: 100, pieces: options.quick ? 25 : 100, pacing: Model.sparseDelay),
        ]
        Model.register(on: upstream, throughputPieces: levels.map(\.pieces) + [100], pacedLevels: paced)
        let baseURL = upstream.baseURL

        // 2. Startup: separate launches, each measured from spawn to the first accepted connection.
        if options.runs(.startup) {
            for index in 1...launches {
                let daemon = try DaemonHarness(binary: options.daemonPath, upstreamBaseURL: baseURL)
                defer { daemon.stop() }
                let ready = try daemon.waitUntilAccepting()
                report.startupMs.append(ready.ms)
                note("startup \(index)/\(launches): ready in \(fmt(ready.ms)) ms")
            }
        }

        // Analytics on against off: its own two daemons, before the shared one starts.
        if options.runs(.analytics) {
            note("analytics on/off: two daemons, alternating rounds")
            report.analytics = try await AnalyticsCost.run(
                daemonPath: options.daemonPath,
                baseURL: baseURL,
                rounds: options.quick ? 2 : 6,
                ttftCount: options.quick ? 50 : 200,
                burst: options.quick ? 2_000 : 10_000,
                concurrency: 16
            )
        }

        if options.runs(.security) {
            note("security: input checks and output redaction in process, then redaction on/off through two daemons")
            report.security = try await SecurityCost.run(
                daemonPath: options.daemonPath,
                baseURL: baseURL,
                rounds: options.quick ? 2 : 6,
                ttftCount: options.quick ? 50 : 200,
                quick: options.quick
            )
        }

        if options.runs(.cache) {
            note("cache: exact hits through a daemon, then the semantic tier in process")
            let daemon = try DaemonHarness(binary: options.daemonPath, upstreamBaseURL: baseURL)
            defer { daemon.stop() }
            _ = try daemon.waitUntilAccepting()
            report.cacheExact = try await CacheFigures.exact(daemon: daemon, baseURL: baseURL, count: ttftCount)
            let models =
                ProcessInfo.processInfo.environment["NEUROLINK_MODEL_DIR"]
                ?? "/usr/local/share/neurolink/models/all-MiniLM-L6-v2"
            report.cacheSemantic = try await CacheFigures.semantic(modelDirectory: models, quick: options.quick)
        }

        let sectionsNeedingDaemon: [Options.Section] = [.ttft, .throughput, .idle, .soak]
        guard sectionsNeedingDaemon.contains(where: options.runs) else {
            try await runLast(options, upstream: upstream, report: &report)
            try await upstream.shutdown()
            return report
        }

        if options.soakFaults { SoakFault.register(on: upstream) }
        let modelDirectory = ProcessInfo.processInfo.environment["NEUROLINK_MODEL_DIR"]
        let daemon = try DaemonHarness(
            binary: options.daemonPath,
            upstreamBaseURL: baseURL,
            faultProviders: options.soakFaults,
            extraConfig: options.allStages ? DaemonHarness.allStagesConfig(modelDirectory: modelDirectory) : ""
        )
        do {
            _ = try daemon.waitUntilAccepting()
            try await Task.sleep(for: .seconds(1))
            report.idleRSSKiB = daemon.rssKiB
            report.idleThreads = ProcStats.threads(pid: daemon.pid)
            report.idleRSSSplitKiB = ProcStats.rssSplitKiB(pid: daemon.pid)
            note("daemon pid \(daemon.pid): idle RSS \(fmt(Double(report.idleRSSKiB ?? 0) / 1024)) MiB")
            try await measure(
                options,
                daemon: daemon,
                upstream: upstream,
                levels: levels,
                paced: paced,
                ttft: (ttftCount, ttftWarmup),
                report: &report
            )
            report.finalRSSKiB = daemon.rssKiB
            report.peakRSSKiB = ProcStats.peakRSSKiB(pid: daemon.pid)
            guard daemon.isRunning else {
                throw BenchError.failed("neurolinkd exited during the run; log:\n\(daemon.logTail)")
            }
            report.daemonLogTail = daemon.logTail
        } catch {
            note("daemon log tail:\n\(daemon.logTail)")
            daemon.stop()
            try? await upstream.shutdown()
            throw error
        }
        daemon.stop()
        try await runLast(options, upstream: upstream, report: &report)
        try await upstream.shutdown()
        return report
    }

    /// The instruction counts, then the HTTP front section, after every other: the front's load
    /// generators open and close thousands of connections, and the sockets they leave in TIME_WAIT
    /// (about 10,000, for a minute) made the idle section's 1,000 connects take 4–12 s and its
    /// cancel 1–3 s when it came first.
    private static func runLast(_ options: Options, upstream: LoopbackUpstream, report: inout Report) async throws {
        if options.runs(.instructions) {
            note("instructions: a daemon under callgrind, counters zeroed and dumped around each stream")
            report.instructions = try await InstructionCount.run(
                daemonPath: options.daemonPath,
                upstream: upstream,
                rounds: 2,
                quick: options.quick,
                keepIn: options.callgrindDirectory
            )
        }
        guard options.runs(.front) else { return }
        note("front: direct, then neurolinkd's HTTP front\(options.litellmPath == nil ? "" : ", then LiteLLM's proxy")")
        report.front = try await FrontComparison.run(
            daemonPath: options.daemonPath,
            upstream: upstream,
            litellm: options.litellmPath,
            quick: options.quick
        )
    }

    private static func measure(
        _ options: Options,
        daemon: DaemonHarness,
        upstream: LoopbackUpstream,
        levels: [Throughput.Level],
        paced: [Throughput.Level],
        ttft: (count: Int, warmup: Int),
        report: inout Report
    ) async throws {
        let socket = daemon.socketPath
        let baseURL = upstream.baseURL

        // 6 first, so that "idle RSS" is the baseline the streams add to.
        if options.runs(.idle) {
            let count = options.idleStreams
            note("idle streams: opening \(count.formatted()) stalled streams")
            let result = try await withDeadline(.seconds(180), "idle streams") {
                try await IdleStreams.run(daemon: daemon, upstream: upstream, count: count)
            }
            report.idle = result
            note(
                "idle streams: RSS \(fmt(Double(result.rssBeforeKiB) / 1024)) → \(fmt(Double(result.rssOpenKiB) / 1024)) MiB "
                    + "(\(fmt(Double(result.rssOpenKiB - result.rssBeforeKiB) / Double(count))) KiB/stream), "
                    + "after cancel \(fmt(Double(result.rssAfterCancelKiB) / 1024)) MiB"
            )
        }

        if options.runs(.ttft) {
            note("ttft: \(ttft.count) sequential requests through the daemon, then direct")
            let through = try await withDeadline(.seconds(120), "ttft through daemon") {
                try await TTFT.throughDaemon(socket: socket, count: ttft.count, warmup: ttft.warmup)
            }
            let direct = try await withDeadline(.seconds(120), "ttft direct") {
                try await TTFT.direct(baseURL: baseURL, count: ttft.count, warmup: ttft.warmup)
            }
            let stages = try await withDeadline(.seconds(120), "ttft through a daemon with the input stages") {
                try await TTFT.inputStages(
                    daemonPath: options.daemonPath,
                    baseURL: baseURL,
                    count: ttft.count,
                    warmup: ttft.warmup
                )
            }
            report.ttft = TTFT.Result(
                through: Percentiles(through),
                direct: Percentiles(direct),
                inputStages: Percentiles(stages)
            )
            note(
                "ttft p50: through \(fmt(Percentiles(through).p50, 0)) µs, direct \(fmt(Percentiles(direct).p50, 0)) µs, "
                    + "with the input stages \(fmt(Percentiles(stages).p50, 0)) µs"
            )
        }

        if options.runs(.throughput) {
            if options.allocations { try AllocationCounter.prepare(pid: daemon.pid) }
            // Warm up connections and code paths.
            let warm = Throughput.Level(streams: 10, pieces: 100)
            for mode in [Throughput.Mode.client, .raw, .direct] {
                _ = try await Throughput.run(
                    mode,
                    level: warm,
                    socket: socket,
                    baseURL: baseURL,
                    daemon: daemon,
                    limit: .seconds(30)
                )
            }
            for level in levels {
                for mode in [Throughput.Mode.client, .raw, .direct] {
                    let run = try await Throughput.run(
                        mode,
                        level: level,
                        socket: socket,
                        baseURL: baseURL,
                        daemon: daemon,
                        limit: .seconds(180),
                        countAllocations: options.allocations
                    )
                    report.throughput.append(run)
                    note(run.progressLine)
                    try await Task.sleep(for: .milliseconds(500))
                }
            }
            // One event per read: the daemon's CPU per chunk when every provider event wakes it.
            for level in paced {
                let run = try await Throughput.run(
                    .raw,
                    level: level,
                    socket: socket,
                    baseURL: baseURL,
                    daemon: daemon,
                    limit: .seconds(120),
                    countAllocations: options.allocations
                )
                report.paced.append(run)
                note(run.progressLine)
                let floors = try [1, 2].map { try RelayFloor.run(port: upstream.port, level: level, threads: $0) }
                report.pacedFloor.append(floors)
                for floor in floors { note(floor.progressLine) }
            }
        }

        if options.runs(.soak), let seconds = options.soakSeconds {
            note(
                "soak: \(seconds) s\(options.soakFaults ? ", with faults" : "")\(options.allStages ? ", all stages on" : "")"
            )
            let soak = try await Soak.run(
                daemon: daemon,
                seconds: seconds,
                faults: options.soakFaults,
                allStages: options.allStages
            )
            report.soak = soak
            // Said at once: a crash makes the run fail before the report is printed.
            note(
                "soak: \(soak.requests) normal requests (\(soak.failures) failures), \(soak.faultyRequests) faulty, "
                    + "\(soak.crashes) daemon crashes, RSS slope over the second half "
                    + "\(signed(soak.slopeKiBPerMinute)) KiB/min, memory \(soak.memoryFlat ? "flat" : "NOT flat")"
            )
        }
    }
}
