import Foundation
import Logging
import NeuroLinkCache
import NeuroLinkClient
import NeuroLinkCore
import NeuroLinkEmbedding
import NeuroLinkProtocol

/// The response cache's figures: exact hits through a daemon (time to first chunk against the
/// direct path, hits per second), and the semantic tier in process (embedding time by length,
/// lookups in a scope of 10,000 entries, memory per 100,000 entries).
enum CacheFigures {
    struct Exact: Sendable {
        var hitTTFT: Percentiles
        var direct: Percentiles
        var hitsPerSecond: Double
    }

    struct Semantic: Sendable {
        /// Milliseconds per embedding (median of the runs) by token count.
        var embeddingMs: [(tokens: Int, ms: Double)]
        var lookupMs: Percentiles
        var scopeEntries: Int
        /// Index memory per 100,000 prompts; not measured in a quick run (half of its time went to it).
        var bytesPer100k: Int?
        var rssPer100kKiB: Int?
    }

    /// A deterministic request that the cache answers after its first time.
    static func request() -> StreamRequest {
        StreamRequest(prompt: "bench cache", model: Model.ttft, temperature: 0)
    }

    static func exact(daemon: DaemonHarness, baseURL: String, count: Int) async throws -> Exact {
        let samples = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
            _ = try await client.generate(request())
            var samples: [Double] = []
            for index in 0..<(count + 20) {
                let start = ContinuousClock.now
                var first: ContinuousClock.Instant?
                for try await chunk in client.stream(request()) where chunk.type == .text && first == nil {
                    first = .now
                }
                guard let first else { throw BenchError.failed("cache hit: no text chunk") }
                if index >= 20 { samples.append((first - start).us) }
            }
            return samples
        }
        let direct = try await TTFT.direct(baseURL: baseURL, count: count, warmup: 20)
        let hits = 20_000
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                        for _ in 0..<(hits / 16) {
                            let result = try await client.generate(request())
                            guard result.cache?.status == .hit else { throw BenchError.failed("not a cache hit") }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - started).seconds
        return Exact(hitTTFT: Percentiles(samples), direct: Percentiles(direct), hitsPerSecond: Double(hits) / seconds)
    }

    static func semantic(modelDirectory: String, quick: Bool) async throws -> Semantic {
        let embedder = try Embedder(directory: modelDirectory)
        var embedding: [(Int, Double)] = []
        // English prose: about 1.3 WordPiece tokens per word; cut to the wanted token count.
        let prose = String(
            repeating: "the daemon keeps every stream bounded and answers quickly when asked ",
            count: 20
        )
        for wanted in [8, 32, 128] {
            var words = prose.split(separator: " ").prefix(wanted)
            while embedder.tokens(words.joined(separator: " ")).count > wanted { words = words.dropLast() }
            let text = words.joined(separator: " ")
            let tokens = embedder.tokens(text).count
            var times: [Double] = []
            for _ in 0..<21 {
                let start = ContinuousClock.now
                _ = embedder.embedNow(text)
                times.append((ContinuousClock.now - start).us / 1000)
            }
            embedding.append((tokens, Percentiles(times).p50))
        }
        let cache = ResponseCache(
            settings: DaemonConfig.Cache(),
            path: nil,
            embedder: embedder,
            logger: Logger(label: "bench")
        )
        let scope = CacheKey(hex: String(repeating: "a", count: 64))!
        let owner = CacheOwner(tenant: "bench", namespace: nil)
        let entries = 10_000
        var generator = SystemRandomNumberGenerator()
        for index in 0..<entries {
            cache.store(
                answer(),
                key: key(index),
                owner: owner,
                semantic: SemanticEntry(scope: scope, text: "prompt \(index)", vector: randomUnit(&generator))
            )
        }
        var queryWords = prose.split(separator: " ").prefix(32)
        while embedder.tokens(queryWords.joined(separator: " ")).count > 32 { queryWords = queryWords.dropLast() }
        let query = queryWords.joined(separator: " ")
        var lookups: [Double] = []
        for _ in 0..<60 {
            let start = ContinuousClock.now
            _ = await cache.similar(
                SemanticQuery(scope: scope, text: query, maxTokens: nil, threshold: 0.95, waitLimit: .seconds(10)),
                now: Date().timeIntervalSince1970
            )
            lookups.append((ContinuousClock.now - start).us / 1000)
        }
        let memory = quick ? nil : indexMemory(embedder: embedder, owner: owner, scope: scope, generator: &generator)
        return Semantic(
            embeddingMs: embedding,
            lookupMs: Percentiles(Array(lookups.dropFirst(10))),
            scopeEntries: entries,
            bytesPer100k: memory?.bytes,
            rssPer100kKiB: memory?.rssKiB
        )
    }

    /// Memory of 100,000 indexed prompts: what the index counts, and what the process grew by.
    private static func indexMemory(
        embedder: Embedder,
        owner: CacheOwner,
        scope: CacheKey,
        generator: inout SystemRandomNumberGenerator
    ) -> (bytes: Int, rssKiB: Int?) {
        var settings = DaemonConfig.Cache()
        settings.semantic.maxEntriesPerScope = 100_000
        let big = ResponseCache(
            settings: settings,
            path: nil,
            embedder: embedder,
            logger: Logger(label: "bench")
        )
        let before = ProcStats.rssKiB(pid: getpid())
        for index in 0..<100_000 {
            big.store(
                answer(),
                key: key(index),
                owner: owner,
                semantic: SemanticEntry(
                    scope: scope,
                    text: "How do I do thing number \(index) in Swift?",
                    vector: randomUnit(&generator)
                )
            )
        }
        let after = ProcStats.rssKiB(pid: getpid())
        let bytes = big.stats(showError: true).semantic?.bytes ?? 0
        return (bytes, before.flatMap { start in after.map { $0 - start } })
    }

    private static func answer() -> CachedAnswer {
        let now = Date().timeIntervalSince1970
        return CachedAnswer(
            batches: [.init(offsetMs: 0, chunks: [.text("a")])],
            finishReason: .stop,
            usage: nil,
            provider: "p",
            model: "m",
            maxTokens: nil,
            createdAt: now,
            expiresAt: now + 3600
        )
    }

    private static func key(_ index: Int) -> CacheKey {
        let hex = String(index, radix: 16)
        return CacheKey(hex: String(repeating: "0", count: 64 - hex.count) + hex)!
    }

    private static func randomUnit(_ generator: inout SystemRandomNumberGenerator) -> [Float] {
        var vector = (0..<384).map { _ in Float.random(in: -1...1, using: &generator) }
        let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for index in vector.indices { vector[index] /= length }
        return vector
    }

    static func tableRows(_ exact: Exact?, _ semantic: Semantic?) -> [String] {
        var rows: [String] = []
        if let exact {
            let added = exact.hitTTFT.p50 - exact.direct.p50
            rows.append(
                "| Exact cache hit: time to first chunk p50 / p99 (direct upstream p50 \(fmt(exact.direct.p50, 0)) µs) | "
                    + "\(fmt(exact.hitTTFT.p50, 0)) / \(fmt(exact.hitTTFT.p99, 0)) µs (×\(fmt(exact.hitTTFT.p50 / exact.direct.p50, 2)) of direct, \(signed(added, 0)) µs) "
                    + "| p50 ≤ 0.5 ms | \(exact.hitTTFT.p50 <= 500 ? "PASS" : "**MISS**") |"
            )
            rows.append(
                "| Exact cache hits per second (16 connections, one-chunk answers) | \(Int(exact.hitsPerSecond).formatted()) | | (reference) |"
            )
        }
        if let semantic {
            let embedding = semantic.embeddingMs.map { "\($0.tokens) tokens \(fmt($0.ms, 1)) ms" }.joined(
                separator: ", "
            )
            rows.append("| Embedding on one core (median of 21) | \(embedding) | | (reference) |")
            rows.append(
                "| Semantic lookup, \(semantic.scopeEntries.formatted()) entries in one scope, 32-token prompt, p50 / p99 | "
                    + "\(fmt(semantic.lookupMs.p50, 1)) / \(fmt(semantic.lookupMs.p99, 1)) ms | p50 ≤ 20 ms | \(semantic.lookupMs.p50 <= 20 ? "PASS" : "**MISS**") |"
            )
            let rss = semantic.rssPer100kKiB.map { ", process grew \(fmt(Double($0) / 1024)) MiB" } ?? ""
            if let bytes = semantic.bytesPer100k {
                rows.append(
                    "| Semantic index memory per 100,000 entries | \(fmt(Double(bytes) / 1_048_576)) MiB counted\(rss) | | (reference) |"
                )
            }
        }
        return rows
    }
}
