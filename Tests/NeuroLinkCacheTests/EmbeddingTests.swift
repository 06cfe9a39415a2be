import Foundation
import NeuroLinkCore
import Testing

@testable import NeuroLinkEmbedding

/// The local embedding model: the Swift forward pass against vectors of the reference
/// implementation (sentence-transformers) from the same weights, and the worker's bounds. Serial:
/// forward passes of a debug build keep a core busy, and the worker's bound is a timing.
@Suite struct EmbeddingSerialTests {
    /// Where scripts/embedding-model.sh installed the model (scripts/test.sh exports it).
    static var modelDirectory: String {
        ProcessInfo.processInfo.environment["NEUROLINK_MODEL_DIR"] ?? ConfigLoader().defaultModelDirectory()
    }

    /// One embedder for the whole suite: loading the weights takes a moment.
    static let embedder: Result<Embedder, EmbeddingError> = Result { () throws(EmbeddingError) in
        try Embedder(directory: modelDirectory)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    struct Reference: Decodable {
        struct Sentence: Decodable {
            var text: String
            var tokens: [Int32]
            var vector: [Float]
        }
        var source: String
        var sentences: [Sentence]
    }

    /// Vectors of sentence-transformers (scripts/tools/embedding_reference.py) from the same weights.
    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/embedding-reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    /// The reference tokenizer turns `[SEP]` typed by a user into the special token; ours keeps it
    /// text, on purpose (a prompt must not inject model tokens), so that sentence differs.
    static func spellsSpecialTokens(_ text: String) -> Bool {
        ["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]"].contains { text.contains($0) }
    }

    /// A vector from the worker thread: tests never run forward passes on the cooperative pool,
    /// where waiting for the model would starve every other test.
    static func vector(_ text: String) async throws -> [Float] {
        try #require(await embedder.get().embed(text, waitingAtMost: .seconds(60)))
    }

    @Test func tokensAndVectorsAgreeWithTheReferenceImplementation() async throws {
        let embedder = try Self.embedder.get()
        let reference = try Self.reference()
        #expect(reference.sentences.count >= 40)
        var worst: Float = 1
        for sentence in reference.sentences where !Self.spellsSpecialTokens(sentence.text) {
            #expect(embedder.tokens(sentence.text) == sentence.tokens, "tokens of \(sentence.text.debugDescription)")
            let cosine = Self.cosine(try await Self.vector(sentence.text), sentence.vector)
            worst = min(worst, cosine)
            #expect(cosine >= 0.999, "cosine \(cosine) for \(sentence.text.debugDescription)")
        }
        #expect(worst >= 0.999, "worst cosine \(worst) against \(reference.source)")
        #expect(
            embedder.tokens("x[SEP]y").count == 7,
            "[SEP] in a prompt is text: x [ sep ] y, framed by [CLS] and [SEP]"
        )
    }

    @Test func aBusyOrSlowWorkerIsAMissNotAWait() async throws {
        let embedder = try Self.embedder.get()
        let started = ContinuousClock.now
        let vector = await embedder.embed("anything at all", waitingAtMost: .microseconds(1))
        #expect(vector == nil)
        #expect(ContinuousClock.now - started < .milliseconds(200))
        let ready = await embedder.embed("anything at all", waitingAtMost: .seconds(5))
        #expect(ready?.count == 384)
    }

    @Test func paraphrasesAreCloseAndUnrelatedTextIsNot() async throws {
        let a = try await Self.vector("How do I sort an array in Swift?")
        let b = try await Self.vector("how do i sort an array in swift")
        let c = try await Self.vector("What is the capital of France?")
        #expect(a.count == 384)
        #expect(abs(Self.cosine(a, a) - 1) < 1e-4, "vectors are L2-normalised")
        #expect(Self.cosine(a, b) > 0.99, "\(Self.cosine(a, b))")
        #expect(Self.cosine(a, c) < 0.3, "\(Self.cosine(a, c))")
    }
}
