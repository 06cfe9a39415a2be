import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl cache stats | clear | inspect`.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "The response cache: its figures, clearing entries, inspecting one.",
        subcommands: [Stats.self, Clear.self, Inspect.self, Warm.self, Analyze.self]
    )

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats",
            abstract: "Entries, bytes, hits, misses and what hits saved."
        )
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .long, help: "Print the figures as JSON.") var json = false

        func run() async throws {
            let stats = try await CacheCommand.call(connection) { try await $0.cacheStats() }
            try CacheCommand.print(json ? try AnalyticsView.json(stats) + "\n" : CacheView.stats(stats))
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear",
            abstract: "Remove your entries (admins: --tenant NAME, or --tenant '*' for every tenant's)."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(name: .long, help: "Whose entries (admins only when not your own; '*' for all).") var tenant: String?
        @Option(name: .long, help: "Only the entries of this namespace.") var namespace: String?

        func run() async throws {
            let request = CacheClearRequest(tenant: tenant, namespace: namespace)
            let removed = try await CacheCommand.call(connection) { try await $0.cacheClear(request) }
            try CacheCommand.print("removed \(removed) \(removed == 1 ? "entry" : "entries")\n")
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Describe an entry by its key (result.cache.key)."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry's key: 64 hex digits.") var key: String

        func run() async throws {
            let info = try await CacheCommand.call(connection) { try await $0.cacheInspect(key: key) }
            try CacheCommand.print(try AnalyticsView.json(info) + "\n")
        }
    }

    struct Warm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "warm",
            abstract: "Fill the cache: run each request of a JSONL file (stream params per line, '-' for stdin)."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "A file of one JSON object per line, each the params of a generate request.") var file: String

        func run() async throws {
            let text: String
            if file == "-" {
                text = Terminal.readStandardInput()
            } else {
                do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                    throw ValidationError("cannot read \(file): \(fileErrorReason(error))")
                }
            }
            var requests: [StreamRequest] = []
            for (index, line) in text.split(separator: "\n").enumerated()
            where !line.trimmed(while: \.isBlank).isEmpty {
                let json = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
                do throws(RPCError) { requests.append(try StreamRequest(json: json)) } catch {
                    throw ValidationError("line \(index + 1): \(error.message)")
                }
            }
            let batch = requests
            let warmed = try await CacheCommand.call(connection) { client in
                try await CacheWarming.run(batch, client: client)
            }
            try CacheCommand.print(warmed.summary + "\n")
            if warmed.failed > 0 { throw ExitCode(NLExit.failure) }
        }
    }

    struct Analyze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "analyze",
            abstract: "Hit rates by model and tenant, near misses of the semantic tier, and a threshold suggestion."
        )
        @OptionGroup var connection: ConnectionOptions
        @Option(name: .long, help: "How far back: 1h, 24h, 7d (default 24h).") var since = "24h"

        func run() async throws {
            guard let window = DurationParsing.milliseconds(since) else {
                throw ValidationError("--since must look like 1h, 24h or 7d, not '\(since)'")
            }
            let start = Date().timeIntervalSince1970 - Double(window) / 1000
            let (byModel, byTenant, stats) = try await CacheCommand.call(connection) { client in
                (
                    try await client.analyticsReport(AnalyticsReportRequest(since: start, by: .model)),
                    try await client.analyticsReport(AnalyticsReportRequest(since: start, by: .tenant)),
                    try await client.cacheStats()
                )
            }
            try CacheCommand.print(CacheView.analysis(byModel: byModel, byTenant: byTenant, stats: stats))
        }
    }

    static func call<T: Sendable>(
        _ connection: ConnectionOptions,
        _ body: @Sendable (NeuroLinkClient) async throws -> T
    ) async throws -> T {
        do {
            return try await NeuroLinkClient.withConnection(socketPath: connection.socket, body)
        } catch {
            throw NLExit.report(error)
        }
    }

    static func print(_ text: String) throws {
        do { try Terminal.standardOutput(text) } catch { throw NLExit.report(error) }
    }
}

/// How `nlctl cache stats` and `nlctl cache analyze` print.
enum CacheView {
    /// Hit rates per model and tenant (from the analytics store), then the semantic tier's
    /// similarity histogram and what it suggests for `cache.semantic.threshold`.
    static func analysis(byModel: AnalyticsReport, byTenant: AnalyticsReport, stats: CacheStats) -> String {
        var text = ""
        for report in [byModel, byTenant] {
            let rows = report.groups.compactMap { group -> [String]? in
                guard let cache = group.cache else { return nil }
                let rate = cache.hitRate.map { String(cFormat: "%.1f%%", $0 * 100) } ?? "-"
                let saved = cache.savedCost.map { String(cFormat: "%.6f", $0) } ?? "-"
                return [group.key, "\(cache.hits)", "\(cache.misses)", "\(cache.bypassed)", rate, saved]
            }
            let header = [report.by.rawValue, "hits", "misses", "bypassed", "hit rate", "saved $"]
            text +=
                rows.isEmpty
                ? "no cache lookups by \(report.by.rawValue) in this range\n"
                : StatusView.table([header] + rows).joined(separator: "\n") + "\n"
            text += "\n"
        }
        return text + semanticSummary(stats, suggest: true)
    }

    /// The semantic tier's figures since start: its model, lookups, hits, the meaning guard's
    /// refusals by reason, lookups the embedding did not come in time for, and the histogram of
    /// best similarities (with a threshold suggestion for `cache analyze`).
    static func semanticSummary(_ stats: CacheStats, suggest: Bool) -> String {
        guard let semantic = stats.semantic else {
            return "semantic tier: off" + (stats.semanticError.map { " (\($0))" } ?? "") + "\n"
        }
        let labels = ["< 0.80", "0.80–0.85", "0.85–0.90", "0.90–0.93", "0.93–0.95", "0.95–0.97", "0.97–0.99", "≥ 0.99"]
        var text = "semantic tier (\(semantic.embedding ?? "local")): \(semantic.entries) prompts indexed; since start "
        text += "\(semantic.lookups) lookups, \(semantic.hits) hits, "
        text += "\(semantic.refusals.values.reduce(0, +)) refused by the meaning guard"
        let reasons = semantic.refusals.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
        text += reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"
        text += ", \(semantic.unavailable) without an embedding in time\n"
        text += "best candidate's similarity:\n"
        for (label, count) in zip(labels, semantic.bestSimilarity) { text += "  \(label)\t\(count)\n" }
        if suggest { text += suggestion(semantic) + "\n" }
        return text
    }

    /// Lookups just under the default threshold are the near misses a lower threshold would serve.
    static func suggestion(_ semantic: SemanticStats) -> String {
        let near = semantic.bestSimilarity[4]
        let above = semantic.bestSimilarity[5...].reduce(0, +)
        guard semantic.lookups >= 50 else { return "too few lookups to suggest a threshold" }
        if near > max(5, above / 2) {
            return "\(near) lookups scored 0.93–0.95, just under the default threshold: a threshold of 0.93 "
                + "would consider them, at some risk to precision (measure it: docs/benchmarks.md, semantic tier)"
        }
        return "keep the threshold: few lookups fall just under it"
    }

    static func stats(_ stats: CacheStats) -> String {
        let mib = { (bytes: Int) in String(cFormat: "%.1f MiB", Double(bytes) / 1_048_576) }
        var rows = [
            ["entries in memory", "\(stats.entries) (\(mib(stats.bytes)) of \(mib(stats.capacityBytes)))"]
        ]
        if let entries = stats.diskEntries, let bytes = stats.diskBytes {
            rows.append(["entries on disk", "\(entries) (\(mib(bytes)) compressed)"])
        }
        let rate = stats.hitRate.map { String(cFormat: "%.1f%%", $0 * 100) } ?? "-"
        rows += [
            ["lookups", "\(stats.lookups): \(stats.hits) hits, \(stats.misses) misses (hit rate \(rate))"],
            ["not looked up", "\(stats.bypassed)"],
            ["stored", "\(stats.stored) (evicted from memory: \(stats.evictions))"],
            [
                "saved",
                "\(stats.savedInputTokens) input + \(stats.savedOutputTokens) output tokens, "
                    + String(cFormat: "$%.6f", stats.savedCost),
            ],
        ]
        var text = StatusView.table(rows).joined(separator: "\n") + "\n"
        if let error = stats.error { text += "database: \(error)\n" }
        guard stats.enabled else { return "the response cache is disabled\n" }
        return text + semanticSummary(stats, suggest: false)
    }
}

/// `nlctl cache warm`: the requests one after another, and what became of each.
struct CacheWarming: Sendable {
    var stored = 0
    var cached = 0
    var notStored = 0
    var failed = 0

    static func run(_ requests: [StreamRequest], client: NeuroLinkClient) async throws -> CacheWarming {
        var tally = CacheWarming()
        for request in requests {
            do {
                let result = try await client.generate(request)
                if result.cache?.stored == true {
                    tally.stored += 1
                } else if result.cache?.status == .hit {
                    tally.cached += 1
                } else {
                    tally.notStored += 1
                }
            } catch let error as RPCError {
                tally.failed += 1
                Terminal.diagnostic("nlctl: a request failed: \(error.type): \(error.message)")
            }
        }
        return tally
    }

    var summary: String {
        "stored \(stored), already cached \(cached), not stored \(notStored) (not eligible or not storable), failed \(failed)"
    }
}
