import ArgumentParser
import Foundation
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl cache stats | clear | inspect`.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "The response cache: its figures, clearing entries, inspecting one.",
        subcommands: [Stats.self, Clear.self, Inspect.self, Warm.self]
    )

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Entries, bytes, hits, misses and what hits saved.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(name: .long, help: "Print the figures as JSON.") var json = false

        func run() async throws {
            let stats = try await CacheCommand.call(connection) { try await $0.cacheStats() }
            try CacheCommand.print(json ? try AnalyticsView.json(stats) + "\n" : CacheView.stats(stats))
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
        static let configuration = CommandConfiguration(abstract: "Describe an entry by its key (result.cache.key).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry's key: 64 hex digits.") var key: String

        func run() async throws {
            let info = try await CacheCommand.call(connection) { try await $0.cacheInspect(key: key) }
            try CacheCommand.print(try AnalyticsView.json(info) + "\n")
        }
    }

    struct Warm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
                    throw ValidationError("cannot read \(file): \(error.localizedDescription)")
                }
            }
            var requests: [StreamRequest] = []
            for (index, line) in text.split(separator: "\n").enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty {
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

/// How `nlctl cache stats` prints.
enum CacheView {
    static func stats(_ stats: CacheStats) -> String {
        let mib = { (bytes: Int) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        var rows = [
            ["entries in memory", "\(stats.entries) (\(mib(stats.bytes)) of \(mib(stats.capacityBytes)))"]
        ]
        if let entries = stats.diskEntries, let bytes = stats.diskBytes {
            rows.append(["entries on disk", "\(entries) (\(mib(bytes)) compressed)"])
        }
        let rate = stats.hitRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
        rows += [
            ["lookups", "\(stats.lookups): \(stats.hits) hits, \(stats.misses) misses (hit rate \(rate))"],
            ["not looked up", "\(stats.bypassed)"],
            ["stored", "\(stats.stored) (evicted from memory: \(stats.evictions))"],
            [
                "saved",
                "\(stats.savedInputTokens) input + \(stats.savedOutputTokens) output tokens, "
                    + String(format: "$%.6f", stats.savedCost),
            ],
        ]
        var text = StatusView.table(rows).joined(separator: "\n") + "\n"
        if let error = stats.error { text += "database: \(error)\n" }
        if !stats.enabled { text = "the response cache is disabled\n" }
        return text
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
