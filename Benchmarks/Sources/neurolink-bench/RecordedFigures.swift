import Foundation

/// The headline figures of a run, kept in `Benchmarks/recorded.json` (`--record`) so that later
/// runs, quick ones included, print how they compare (`--compare`) and call out regressions.
struct RecordedFigures: Codable {
    var date: String
    var commit: String
    var quick: Bool
    /// Every figure is a cost: lower is better.
    var figures: [String: Double]

    /// A worsening by more than this fraction of the recorded figure is called a regression.
    static let regressionThreshold = 0.15
    /// The figures whose regressions are called out; the rest are shown for information.
    static let watched: Set<String> = [
        Name.addedTTFTp50, Name.addedTTFTp99, Name.addedTTFTInputStagesP50, Name.cpuPerChunk, Name.cpuPerPacedChunk,
        Name.frontAddedLatencyP50,
        Name.instructionsPer1000("paced"), Name.instructionsPer1000("batched"),
    ]

    enum Name {
        static let addedTTFTp50 = "added TTFT p50 (µs)"
        static let addedTTFTp99 = "added TTFT p99 (µs)"
        static let addedTTFTInputStagesP50 = "added TTFT p50, input stages at work (µs)"
        static let cpuPerChunk = "daemon CPU per chunk (µs)"
        static let cpuPerPacedChunk = "daemon CPU per chunk, one event per read (µs)"
        static let cpuPerSparseChunk = "daemon CPU per chunk, one event per read, 20 ms apart (µs)"
        /// The relay floors beside them (``RelayFloor``): not the daemon's costs, but a change in them says the
        /// machine changed, not the daemon.
        static func relayFloor(threads: Int, sparse: Bool) -> String {
            "relay floor per chunk, one event per read\(sparse ? ", 20 ms apart" : ""), "
                + "\(threads == 1 ? "one thread" : "two threads") (µs)"
        }
        /// Callgrind's count for a case (the mean of its rounds): size-independent and steady on a loaded machine, so a
        /// quick run compares it with a full recording where CPU time per chunk cannot be compared.
        static func instructionsPer1000(_ caseName: String) -> String {
            "daemon instructions per 1,000 chunks, \(caseName) (millions)"
        }
        static let idleRSS = "idle RSS (MiB)"
        static let rssPerIdleStream = "RSS per idle stream (KiB)"
        static let ready = "ready (ms)"
        static let frontAddedLatencyP50 = "HTTP front added latency p50 (µs)"
        static let frontCPUPerRequest = "HTTP front CPU per request, non-streamed, concurrency 10 (µs)"
    }

    init(_ report: Report, commit: String) {
        date = ISO8601DateFormatter().string(from: Date())
        self.commit = commit
        quick = report.quick
        figures = report.headlineFigures
    }

    static func load(_ path: String) -> RecordedFigures? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RecordedFigures.self, from: data)
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }

    /// Markdown: each figure this run shares with `recorded`, the change, and the regressions.
    /// Figures that depend on the levels' sizes: a quick run's short streams spread each request's own cost over
    /// fewer chunks, so they compare only with a recording of the same kind.
    static let sizeDependent: Set<String> = [
        Name.cpuPerChunk, Name.cpuPerPacedChunk, Name.cpuPerSparseChunk,
        Name.relayFloor(threads: 1, sparse: false), Name.relayFloor(threads: 2, sparse: false),
        Name.relayFloor(threads: 1, sparse: true), Name.relayFloor(threads: 2, sparse: true),
    ]

    static func comparison(_ figures: [String: Double], quick: Bool, against recorded: RecordedFigures) -> [String] {
        var lines = [
            "",
            "### Against the recorded figures (\(recorded.date), \(recorded.commit)\(recorded.quick ? ", quick" : ""))",
            "",
            "| Figure | Recorded | This run | Change |",
            "| --- | --- | --- | --- |",
        ]
        var regressions: [String] = []
        for name in figures.keys.sorted() {
            guard let now = figures[name], let then = recorded.figures[name], then > 0 else { continue }
            guard quick == recorded.quick || !sizeDependent.contains(name) else {
                lines.append(
                    "| \(name) | \(fmt(then)) | \(fmt(now)) | not comparable: \(quick ? "quick" : "full") run, "
                        + "\(recorded.quick ? "quick" : "full") recording |"
                )
                continue
            }
            let change = (now - then) / then
            let regressed = watched.contains(name) && change > regressionThreshold
            if regressed { regressions.append(name) }
            lines.append(
                "| \(name) | \(fmt(then)) | \(fmt(now)) | \(signed(change * 100, 0)) %\(regressed ? " **REGRESSION**" : "") |"
            )
        }
        lines.append("")
        lines.append(
            regressions.isEmpty
                ? "No watched figure is more than \(Int(regressionThreshold * 100)) % worse than recorded."
                : "**Regressions of more than \(Int(regressionThreshold * 100)) %: \(regressions.joined(separator: ", ")).**"
        )
        return lines
    }
}

extension Report {
    /// The figures a later run compares with, from whatever sections this run measured.
    var headlineFigures: [String: Double] {
        typealias Name = RecordedFigures.Name
        var figures: [String: Double] = [:]
        if let ttft {
            figures[Name.addedTTFTp50] = ttft.through.p50 - ttft.direct.p50
            figures[Name.addedTTFTp99] = ttft.addedP99
            if let stages = ttft.inputStages { figures[Name.addedTTFTInputStagesP50] = stages.p50 - ttft.direct.p50 }
        }
        let daemonRuns = throughput.filter { $0.mode != .direct }
        let chunks = daemonRuns.map(\.chunks).reduce(0, +)
        if chunks > 0 {
            figures[Name.cpuPerChunk] = daemonRuns.compactMap(\.daemonCPUMs).reduce(0, +) * 1000 / Double(chunks)
        }
        if let cpu = paced.first?.cpuMsPer1000 { figures[Name.cpuPerPacedChunk] = cpu }
        if paced.count > 1, let cpu = paced[1].cpuMsPer1000 { figures[Name.cpuPerSparseChunk] = cpu }
        for (level, floors) in pacedFloor.prefix(2).enumerated() {
            for floor in floors where floor.bad == 0 {
                guard let cpu = floor.cpuMsPer1000 else { continue }
                figures[Name.relayFloor(threads: floor.mode == .floor ? 1 : 2, sparse: level == 1)] = cpu
            }
        }
        for measurement in instructions?.measurements ?? [] where !measurement.per1000.isEmpty {
            let mean = measurement.per1000.reduce(0, +) / Double(measurement.per1000.count)
            figures[Name.instructionsPer1000(measurement.name)] = mean / 1e6
        }
        if let idleRSSKiB { figures[Name.idleRSS] = Double(idleRSSKiB) / 1024 }
        if let idle {
            figures[Name.rssPerIdleStream] = Double(idle.rssOpenKiB - idle.rssBeforeKiB) / Double(idle.streams)
        }
        if !startupMs.isEmpty { figures[Name.ready] = Percentiles(startupMs).p50 }
        if let front {
            figures[Name.frontAddedLatencyP50] = front.neurolinkd.latency.p50 - front.direct.latency.p50
            let key = FrontComparison.Target.Key(stream: false, concurrency: 10)
            figures[Name.frontCPUPerRequest] = front.neurolinkd.cpuPerRequestUs[key]
        }
        return figures
    }
}
