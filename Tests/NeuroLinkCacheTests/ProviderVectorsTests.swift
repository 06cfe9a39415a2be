import Foundation
import Logging
import NeuroLinkCore
import Testing

@testable import NeuroLinkCache

/// The semantic tier with vectors that are not the local model's: any length, and scopes
/// qualified by the embedding model so that two models' vectors are never compared.
@Suite struct ProviderVectorsTests {
    /// Vectors from a table, under a given model name.
    struct TableEmbedder: TextEmbedder {
        var identity: String
        var vectors: [String: [Float]]
        func embed(_ text: String, waitingAtMost limit: Duration) async -> [Float]? { vectors[text] }
        func stop() {}
    }

    static func unit(_ values: [Float]) -> [Float] { TableEmbedder.normalized(values) ?? [] }

    @Test func anyLengthScoresIncludingTheTailPastSixteenLanes() {
        var index = SemanticIndex(capacity: 10)
        let owner = CacheOwner(tenant: "a", namespace: nil)
        var near = [Float](repeating: 0, count: 20)
        near[18] = 1
        near[19] = 1
        var far = [Float](repeating: 0, count: 20)
        far[0] = 1
        index.add(scope: "s", key: "near", text: "n", vector: Self.unit(near), owner: owner, expiresAt: 100)
        index.add(scope: "s", key: "far", text: "f", vector: far, owner: owner, expiresAt: 100)
        index.add(scope: "s", key: "short", text: "x", vector: [1, 0, 0], owner: owner, expiresAt: 100)
        #expect(index.count == 2, "a vector of another length does not join the scope")
        var query = [Float](repeating: 0, count: 20)
        query[19] = 1
        let best = index.nearest(query, in: "s", now: 0, limit: 2)
        #expect(best.map(\.key) == ["near", "far"])
        #expect(abs((best.first?.similarity ?? 0) - 0.5.squareRoot()) < 1e-6, "the tail components count")
        #expect(index.nearest([1, 0, 0], in: "s", now: 0, limit: 2).isEmpty)
    }

    @Test func promptsIndexedByOneModelNeverMatchAnothersQueries() async throws {
        let directory = ResponseCacheTests.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/cache.sqlite"
        let question = "How do I reverse a list?"
        let vector = Self.unit([1, 2, 3, 4, 5])
        let table = [question: vector]
        func open(_ identity: String) -> ResponseCache {
            ResponseCache(
                settings: DaemonConfig.Cache(),
                path: path,
                embedder: TableEmbedder(identity: identity, vectors: table),
                logger: Logger(label: "t")
            )
        }
        let scope = try ResponseCacheTests.key("scope")
        let writer = open("ollama/nomic-embed-text")
        writer.store(
            ResponseCacheTests.answer("list[::-1]"),
            key: try ResponseCacheTests.key("answer"),
            owner: ResponseCacheTests.owner,
            semantic: SemanticEntry(scope: scope, text: question, vector: vector)
        )
        await writer.writePending()
        let query = SemanticQuery(scope: scope, text: question, maxTokens: 100, threshold: 0.95, waitLimit: .seconds(1))
        let now = Date().timeIntervalSince1970
        guard case .hit = await writer.similar(query, now: now) else {
            Issue.record("the same model serves its own prompt")
            return
        }
        guard case .hit = await open("ollama/nomic-embed-text").similar(query, now: now) else {
            Issue.record("after a restart with the same model, the prompt is read back from disk")
            return
        }
        for other in ["openai/text-embedding-3-small", "local"] {
            guard case .miss = await open(other).similar(query, now: now) else {
                Issue.record("\(other) must not see the vectors of another model")
                return
            }
        }
    }
}
