import Foundation

/// Everything measured, and its rendering as markdown.
struct Report {
    var quick: Bool
    var fileLimit: UInt64 = 0
    var startupMs: [Double] = []
    var idleRSSKiB: Int?
    var idleThreads: Int?
    var idleRSSSplitKiB: (anon: Int, file: Int)?
    var ttft: TTFT.Result?
    var throughput: [Throughput.Run] = []
    /// The paced levels (one provider event per read: 1 ms apart, then 20 ms apart), counting client only.
    var paced: [Throughput.Run] = []
    /// The relay floors (one thread, then two) at the same levels, one pair per paced run (``RelayFloor``).
    var pacedFloor: [[Throughput.Run]] = []
    var idle: IdleStreams.Result?
    var soak: Soak.Result?
    var admission: AdmissionOverhead.Run?
    var writer: WriterCapacity.Run?
    var decode: DecodeCost.Run?
    var instructions: InstructionCount.Result?
    var analytics: AnalyticsCost.Result?
    var cacheExact: CacheFigures.Exact?
    var security: SecurityCost.Result?
    var cacheSemantic: CacheFigures.Semantic?
    var front: FrontComparison.Result?
    var finalRSSKiB: Int?
    var peakRSSKiB: Int?
    var daemonLogTail = ""
    var loadAtStart = Machine.loadAverage

    init(quick: Bool) { self.quick = quick }

    private static func mib(_ kib: Int) -> String { "\(fmt(Double(kib) / 1024)) MiB" }
    private static func us(_ value: Double) -> String {
        abs(value) >= 1000 ? "\(fmt(value / 1000, 2)) ms" : "\(fmt(value, 0)) µs"
    }
    private static func rate(_ value: Double) -> String {
        value.isFinite ? "\(Int(value.rounded()).formatted()) chunks/s" : "n/a"
    }
    private static func verdict(_ ok: Bool) -> String { ok ? "PASS" : "**MISS**" }

    /// Throughput through the daemon with NeuroLinkClient for a level, for the target check.
    private func run(_ mode: Throughput.Mode, streams: Int) -> Throughput.Run? {
        throughput.first { $0.mode == mode && $0.level.streams == streams }
    }

    func markdown() -> String {
        var lines: [String] = []
        let date = ISO8601DateFormatter().string(from: Date())
        lines.append("## NeuroLink benchmark (\(quick ? "quick run, not for the record" : "full run"))")
        lines.append("")
        lines.append("- date: \(date)")
        lines.append("- machine: \(Machine.summary)")
        lines.append("- open-file limit in the bench (inherited by the daemon): \(fileLimit)")
        lines.append("- load average (1/5/15 min) at start: \(loadAtStart); at the end: \(Machine.loadAverage)")
        lines.append("")
        lines.append("| Metric | Measured | Target | Result |")
        lines.append("| --- | --- | --- | --- |")
        let tableStart = lines.count

        if !startupMs.isEmpty {
            let p = Percentiles(startupMs)
            lines.append(
                "| Ready: launch → socket accepts (median of \(startupMs.count); min–max) | \(fmt(p.p50)) ms "
                    + "(\(fmt(p.min))–\(fmt(p.max))) | ≤ 25 ms | \(Self.verdict(p.p50 <= 25)) |"
            )
        }
        if let idleRSSKiB {
            let split = idleRSSSplitKiB.map { " (anon \(Self.mib($0.anon)), file-backed \(Self.mib($0.file)))" } ?? ""
            // With every stage on (the embedding model loaded) it is not the target's configuration.
            let verdict =
                soak?.allStages == true ? "(all stages on)" : Self.verdict(Double(idleRSSKiB) * 1024 <= 30e6)
            lines.append("| Idle RSS after start (VmRSS) | \(Self.mib(idleRSSKiB))\(split) | ≤ 30 MB | \(verdict) |")
        }
        if let ttft {
            let addedP50 = ttft.through.p50 - ttft.direct.p50
            // A tail that is the direct path's own (one slow direct request in 200) makes the difference
            // meaningless rather than negative.
            let addedP99 = ttft.addedP99.map(Self.us) ?? "n/a (direct p99 \(Self.us(ttft.direct.p99)) is the higher)"
            lines.append(
                "| TTFT through daemon, p50 / p99 (\(ttft.through.sorted.count) sequential) | \(Self.us(ttft.through.p50)) / \(Self.us(ttft.through.p99)) | | |"
            )
            lines.append(
                "| TTFT direct (CurlLoop), p50 / p99 | \(Self.us(ttft.direct.p50)) / \(Self.us(ttft.direct.p99)) | | |"
            )
            // A p99 that says nothing about the daemon (nil) is no miss.
            let p99OK = ttft.addedP99.map { $0 <= 600 } ?? true
            lines.append(
                "| **Added TTFT** p50 / p99 (ratio of p50s) | \(Self.us(addedP50)) / \(addedP99) "
                    + "(×\(fmt(ttft.through.p50 / ttft.direct.p50, 2))) | p50 ≤ 250 µs, p99 ≤ 600 µs "
                    + "| \(Self.verdict(addedP50 <= 250 && p99OK)) |"
            )
            if let stages = ttft.inputStages {
                let added = stages.p50 - ttft.direct.p50
                lines.append(
                    "| **Added TTFT, input stages at work** (analytics, audit, validation, injection detection, input "
                        + "redaction, an exact-cache lookup that misses) p50 / p99 | \(Self.us(added)) / "
                        + "\(Self.us(stages.p99 - ttft.direct.p99)) | p50 ≤ 400 µs | \(Self.verdict(added <= 400)) |"
                )
            }
        }
        for streams in [1, 100, 1000] {
            guard let client = run(.client, streams: streams) else { continue }
            let direct = run(.direct, streams: streams)
            let ratio = direct.map { " (×\(fmt(client.chunksPerSecond / $0.chunksPerSecond, 2)) of direct)" } ?? ""
            let ok = client.chunksPerSecond >= 20_000 && client.bad == 0
            lines.append(
                "| Throughput through daemon, \(client.level.label) (NeuroLinkClient) | \(Self.rate(client.chunksPerSecond))\(ratio) | ≥ 20,000 chunks/s | \(Self.verdict(ok)) |"
            )
        }
        if let raw = run(.raw, streams: 100), let direct = run(.direct, streams: 100) {
            let ratio = raw.chunksPerSecond / direct.chunksPerSecond
            lines.append(
                "| Relay rate at 100 streams, counting client, against direct | ×\(fmt(ratio, 2)) "
                    + "| ≥ ×0.5 | \(Self.verdict(ratio >= 0.5 && raw.bad == 0)) |"
            )
        }
        let daemonRuns = throughput.filter { $0.mode != .direct }
        if !daemonRuns.isEmpty {
            let cpu = daemonRuns.compactMap(\.daemonCPUMs).reduce(0, +)
            let chunks = daemonRuns.map(\.chunks).reduce(0, +)
            let perChunk = cpu * 1000 / Double(max(chunks, 1))
            lines.append(
                "| Daemon CPU per chunk, pieces back to back (all through-daemon runs, \(chunks.formatted()) chunks) | "
                    + "\(fmt(perChunk)) µs | ≤ 4 µs | \(Self.verdict(perChunk <= 4)) |"
            )
        }
        for (index, run) in paced.enumerated() {
            guard let cpu = run.cpuMsPer1000 else { continue }
            let floors = pacedFloor.indices.contains(index) ? pacedFloor[index] : []
            let floorTexts = floors.compactMap { floor in
                floor.cpuMsPer1000.map { floorCPU in
                    "\(floor.mode == .floor ? "one thread" : "two threads") \(fmt(floorCPU)) µs (×\(fmt(cpu / floorCPU)))"
                        + (floor.bad == 0 ? "" : " INCOMPLETE")
                }
            }
            let floorText = floorTexts.isEmpty ? nil : "; relay floor " + floorTexts.joined(separator: ", ")
            lines.append(
                "| Daemon CPU per chunk, one provider event per read (\(run.level.label), counting client) | "
                    + "\(fmt(cpu)) µs\(floorText ?? "") | ≤ 12 µs | \(Self.verdict(cpu <= 12 && run.bad == 0)) |"
            )
        }
        for run in throughput + paced {
            guard let perChunk = run.allocationsPerChunk, let total = run.allocations else { continue }
            lines.append(
                "| Daemon heap allocations per chunk, \(run.level.label) (\(run.mode.rawValue); "
                    + "\(total.formatted()) for \(run.chunks.formatted()) chunks, perf uprobes) | \(fmt(perChunk)) | | |"
            )
        }
        if let idle {
            let perStream = Double(idle.rssOpenKiB - idle.rssBeforeKiB) / Double(idle.streams)
            lines.append(
                "| RSS per idle open stream (\(idle.streams) stalled; \(Self.mib(idle.rssBeforeKiB)) → "
                    + "\(Self.mib(idle.rssOpenKiB))) | \(fmt(perStream)) KiB | ≤ 40 KiB | \(Self.verdict(perStream <= 40)) |"
            )
        }
        if let admission { lines += AdmissionOverhead.tableRows(admission) }
        if let writer { lines += WriterCapacity.tableRows(writer) }
        if let decode { lines += DecodeCost.tableRows(decode) }
        if let instructions { lines += InstructionCount.tableRows(instructions) }
        if let analytics { lines += AnalyticsCost.tableRows(analytics) }
        if let security { lines += SecurityCost.tableRows(security) }
        if cacheExact != nil || cacheSemantic != nil { lines += CacheFigures.tableRows(cacheExact, cacheSemantic) }
        if let soak {
            lines.append(
                "| Soak \(soak.seconds) s: RSS first / last / max (growth; after 60 s → end) | "
                    + "\(Self.mib(soak.first)) / \(Self.mib(soak.last)) / \(Self.mib(soak.max)) "
                    + "(\(signed(Double(soak.growthKiB) / 1024)) MiB; \(signed(Double(soak.last - soak.afterWarmup) / 1024)) MiB) "
                    + "| no growth | \(Self.verdict(soak.passes && soak.failures == 0)) |"
            )
            lines.append(
                "| Soak\(soak.faults ? " with faults" : "")\(soak.allStages ? ", all stages on" : ""): daemon crashes; RSS slope over the second half | "
                    + "\(soak.crashes); \(signed(soak.slopeKiBPerMinute)) KiB/min "
                    + "(\(signed(soak.secondHalfTrendKiB / 1024)) MiB across it) "
                    + "| 0; trend ≤ \(Self.mib(soak.growthBoundKiB)) (memory flat) | \(Self.verdict(soak.verdict)) |"
            )
        }
        // Nothing measured for the table (e.g. --only front): no empty header.
        if lines.count == tableStart { lines.removeLast(2) }

        if !throughput.isEmpty {
            lines.append("")
            lines.append("### Throughput detail")
            lines.append("")
            lines.append(
                "Content chunks per second, all streams started at once. NeuroLinkClient: \(Throughput.streamsPerConnection) streams per connection, every frame decoded by the client. Counting client: same connections, frames counted by prefix, not decoded. Direct: one CurlLoop in the bench process, SSE events counted."
            )
            lines.append("")
            lines.append(
                "| Streams × pieces | Through daemon (NeuroLinkClient) | Through daemon (counting client) | Direct (CurlLoop) | Through/direct | Daemon CPU per 1,000 chunks (NeuroLinkClient / counting) |"
            )
            lines.append("| --- | --- | --- | --- | --- | --- |")
            for streams in [1, 100, 1000] {
                guard let client = run(.client, streams: streams) else { continue }
                let raw = run(.raw, streams: streams)
                let direct = run(.direct, streams: streams)
                func cell(_ run: Throughput.Run?) -> String {
                    guard let run else { return "–" }
                    return Self.rate(run.chunksPerSecond) + " (\(fmt(run.elapsed.seconds, 2)) s)"
                        + (run.bad > 0 ? " **\(run.bad) bad**" : "")
                }
                let ratio =
                    direct.map {
                        "\(fmt(client.chunksPerSecond / $0.chunksPerSecond, 2)) / \(fmt((raw?.chunksPerSecond ?? .nan) / $0.chunksPerSecond, 2))"
                    } ?? "–"
                let cpu = "\(fmt(client.cpuMsPer1000 ?? .nan)) / \(fmt(raw?.cpuMsPer1000 ?? .nan)) ms"
                lines.append(
                    "| \(client.level.label) | \(cell(client)) | \(cell(raw)) | \(cell(direct)) | \(ratio) | \(cpu) |"
                )
            }
        }

        if let idle {
            lines.append("")
            lines.append("### Idle streams detail")
            lines.append("")
            lines.append(
                "- \(idle.streams) streams open at the upstream after \(fmt(idle.openTime.seconds, 2)) s; daemon threads then: \(idle.daemonThreads.map(String.init) ?? "?") (idle: \(idleThreads.map(String.init) ?? "?"))"
            )
            lines.append(
                "- daemon CPU while the \(idle.streams) streams sat idle: \(fmt(idle.idleCPUPercent))% of one core (2 s window)"
            )
            lines.append(
                "- RSS before \(Self.mib(idle.rssBeforeKiB)), with all open \(Self.mib(idle.rssOpenKiB)), 1 s after cancelling all \(Self.mib(idle.rssAfterCancelKiB))"
            )
            lines.append(
                "- cancel → upstream saw every connection closed: \(idle.cancelTime.map { "\(fmt($0.ms, 0)) ms" } ?? "not within 30 s")"
            )
        }

        if let soak {
            lines.append("")
            lines.append("### Soak detail")
            lines.append("")
            lines.append(
                "- \(soak.workers) concurrent streams of \(Model.soakPieces) pieces (\(Int(Model.soakDelay.ms)) ms apart), each worker reconnecting every 100 requests"
            )
            lines.append(
                "- \(soak.requests.formatted()) requests, \(soak.chunks.formatted()) chunks, \(soak.failures) failures"
            )
            if soak.faults {
                lines.append(
                    "- every third request of each worker faulty, on a connection of its own: "
                        + "\(soak.faultyRequests.formatted()) faulty requests; how they ended: "
                        + soak.faultOutcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                            separator: ", "
                        )
                )
            }
            lines.append("- daemon crashes: \(soak.crashes); memory \(soak.memoryFlat ? "flat" : "NOT flat")")
            lines.append(
                "- RSS after warm-up (60 s) \(Self.mib(soak.afterWarmup)); slope over the second half \(signed(soak.slopeKiBPerMinute)) KiB/min"
            )
            lines.append(
                "- samples (s: MiB): "
                    + soak.samples.map { "\(fmt($0.at.seconds, 0)): \(fmt(Double($0.rssKiB) / 1024))" }.joined(
                        separator: ", "
                    )
            )
        }

        if let admission { lines += AdmissionOverhead.detail(admission) }
        if let front { lines += FrontComparison.markdown(front) }

        if let finalRSSKiB {
            lines.append("")
            lines.append(
                "Daemon RSS at the end: \(Self.mib(finalRSSKiB)); peak (VmHWM): \(peakRSSKiB.map(Self.mib) ?? "?")."
            )
        }
        let log = daemonLogTail.split(separator: "\n").suffix(5)
        if !log.isEmpty {
            lines.append("")
            lines.append("Daemon log (warning and above), last lines:")
            lines.append("```")
            lines.append(contentsOf: log.map(String.init))
            lines.append("```")
        }
        return lines.joined(separator: "\n")
    }
}

enum Machine {
    /// The first three fields of /proc/loadavg: other work on the machine skews every figure.
    static var loadAverage: String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static var summary: String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?" }
            ?? "?"
        let kernel =
            (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        return "\(ProcessInfo.processInfo.activeProcessorCount) CPUs (\(model)), Linux \(kernel)"
    }
}
