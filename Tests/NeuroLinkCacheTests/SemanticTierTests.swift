import Foundation
import Logging
import NeuroLinkCore
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCache
@testable import NeuroLinkEmbedding

/// The semantic tier on the labelled pairs (docs/benchmarks.md reports the figures). A serial
/// suite: its 548 forward passes keep a core busy for seconds, which would skew the timing of
/// tests running beside it.
@Suite struct SemanticPrecisionSerialTests {
    struct Pair: Decodable {
        var a: String
        var b: String
        var expect: String
        var family: String
    }

    static func pairs() throws -> [Pair] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/semantic-pairs.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Pair.self, from: Data($0.utf8)) }
    }

    @Test func precisionAndRecallOnTheLabelledPairsAtTheDefaultThreshold() async throws {
        let guardWords = try #require(MeaningGuard.english)
        let pairs = try Self.pairs()
        #expect(pairs.count >= 200)
        var served = (right: 0, wrong: [String]())
        var hits = 0
        var refusedByFamily: [String: Int] = [:]
        for pair in pairs {
            // On the worker thread, as in the daemon: the test's own threads stay free.
            let a = try await EmbeddingSerialTests.vector(pair.a)
            let b = try await EmbeddingSerialTests.vector(pair.b)
            let similarity = Double(EmbeddingSerialTests.cosine(a, b))
            let refusal = guardWords.refusal(pair.a, pair.b)
            if let refusal { refusedByFamily[refusal, default: 0] += 1 }
            let serves = similarity >= 0.95 && refusal == nil
            if pair.expect == "hit" { hits += 1 }
            if serves {
                if pair.expect == "hit" { served.right += 1 } else { served.wrong.append("\(pair.a) | \(pair.b)") }
            }
        }
        let precision = Double(served.right) / Double(max(1, served.right + served.wrong.count))
        let recall = Double(served.right) / Double(max(1, hits))
        print(
            "semantic tier on \(pairs.count) labelled pairs: precision \(precision), recall \(recall), refusals \(refusedByFamily)"
        )
        #expect(precision >= 0.98, "wrongly served: \(served.wrong)")
        #expect(recall >= 0.6, "recall \(recall)")
    }
}

/// The meaning guard's families, and the store's similar-prompt path.
@Suite struct SemanticTierTests {
    @Test(arguments: [
        ("Is Rust more memory efficient than Go?", "Is Rust less memory efficient than Go?", "comparative"),
        ("Convert 5 km to miles", "Convert 8 km to miles", "number"),
        ("Is the function efficient?", "Is the function inefficient?", "negation"),
        ("Why doesn't my build work?", "Why does my build work?", "negation"),
        ("Rename the file \"a.txt\"", "Rename the file \"b.txt\"", "quoted"),
        ("What does 'chmod +x' do?", "What does 'chmod -x' do?", "quoted"),
        ("What is the weather today in Oslo?", "What is the weather tomorrow in Oslo?", "time"),
        ("Should I buy Apple stock?", "Should I sell Apple stock?", "antonym"),
        ("Delete all the files", "Delete some of the files", "quantifier"),
    ])
    func theGuardNamesWhatDiffers(a: String, b: String, reason: String) throws {
        let guardWords = try #require(MeaningGuard.english)
        #expect(guardWords.refusal(a, b) == reason)
        #expect(guardWords.refusal(a, a) == nil)
    }

    @Test func theGuardLetsRewordingsThrough() throws {
        let guardWords = try #require(MeaningGuard.english)
        #expect(guardWords.refusal("What's the capital of France?", "what is the capital of france") == nil)
        #expect(guardWords.refusal("Don't use tabs", "Do not use tabs") == nil)
        #expect(guardWords.refusal("What's in the users' table?", "what is in the users' table") == nil)
        #expect(guardWords.refusal("How do I get to the station", "How do I get into the station") == nil)
    }

    @Test func theStoreServesASimilarPromptOnlyInItsScope() async throws {
        let embedder = try EmbeddingSerialTests.embedder.get()
        let cache = ResponseCache(
            settings: DaemonConfig.Cache(),
            path: nil,
            embedder: embedder,
            logger: Logger(label: "t")
        )
        let scope = try ResponseCacheTests.key("scope")
        let question = "How do I reverse a list in Python?"
        let vector = try await EmbeddingSerialTests.vector(question)
        let key = try ResponseCacheTests.key("answer")
        cache.store(
            ResponseCacheTests.answer("list[::-1]"),
            key: key,
            owner: ResponseCacheTests.owner,
            semantic: SemanticEntry(scope: scope, text: question, vector: vector)
        )
        func query(_ text: String, in scope: CacheKey) -> SemanticQuery {
            SemanticQuery(scope: scope, text: text, maxTokens: 100, threshold: 0.95, waitLimit: .seconds(5))
        }
        let now = Date().timeIntervalSince1970
        guard
            case .hit(let answer, let similarity, _) = await cache.similar(
                query("How can I reverse a list in Python?", in: scope),
                now: now
            )
        else {
            Issue.record("a rewording in the same scope must hit")
            return
        }
        #expect(answer.batches.first?.chunks == [.text("list[::-1]")] && similarity > 0.95)
        guard case .miss = await cache.similar(query(question, in: try ResponseCacheTests.key("other")), now: now)
        else {
            Issue.record("another scope (tenant, system prompt, history, tools, parameters) must miss")
            return
        }
        guard
            case .refused(_, let reason, _) = await cache.similar(
                query("How do I not reverse a list in Python?", in: scope),
                now: now
            )
        else {
            Issue.record("a negation must be refused")
            return
        }
        #expect(reason == "negation")
        let stats = cache.stats(showError: true).semantic
        #expect(stats?.lookups == 3 && stats?.hits == 1 && stats?.refusals["negation"] == 1 && stats?.entries == 1)
    }
}

/// The per-scope index: ranking, replacement, the bound and removal.
@Suite struct SemanticIndexTests {
    static func unit(_ axis: Int, _ tilt: Float = 0) -> [Float] {
        var vector = [Float](repeating: 0, count: 384)
        vector[axis] = 1
        vector[(axis + 1) % 384] = tilt
        let length = (1 + tilt * tilt).squareRoot()
        return vector.map { $0 / length }
    }

    @Test func nearestRanksReplacesBoundsAndRemoves() {
        var index = SemanticIndex(capacity: 10)
        let owner = CacheOwner(tenant: "a", namespace: nil)
        for row in 0..<10 {
            index.add(
                scope: "s",
                key: "k\(row)",
                text: "t\(row)",
                vector: Self.unit(row),
                owner: owner,
                expiresAt: Double(100 + row)
            )
        }
        let query = Self.unit(3, 0.1)
        #expect(index.nearest(query, in: "s", now: 0, limit: 2).map(\.key) == ["k3", "k4"])
        #expect(index.nearest(query, in: "other", now: 0, limit: 2).isEmpty)
        #expect(index.nearest(query, in: "s", now: 103.5, limit: 1).map(\.key) == ["k4"], "expired rows do not serve")
        // Replacing a key keeps one row for it.
        index.add(scope: "s", key: "k3", text: "new", vector: Self.unit(50), owner: owner, expiresAt: 200)
        #expect(index.count == 10 && index.nearest(Self.unit(50), in: "s", now: 0, limit: 1).first?.text == "new")
        // Full: the tenth that expires first (k0) goes.
        index.add(scope: "s", key: "k10", text: "t10", vector: Self.unit(60), owner: owner, expiresAt: 300)
        #expect(index.count == 10)
        #expect(!index.nearest(Self.unit(0), in: "s", now: 0, limit: 10).contains { $0.key == "k0" })
        index.remove { key, _, _ in key == "k5" || key == "k9" }
        #expect(index.count == 8)
        let all = Set(index.nearest(Self.unit(7), in: "s", now: 0, limit: 20).map(\.key))
        #expect(all == ["k1", "k2", "k3", "k4", "k6", "k7", "k8", "k10"])
        #expect(
            index.nearest(Self.unit(7), in: "s", now: 0, limit: 1).first?.key == "k7",
            "rows moved by removals keep their vectors"
        )
    }
}
