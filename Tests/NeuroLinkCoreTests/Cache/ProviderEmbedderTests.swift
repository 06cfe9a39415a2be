import Logging
import LoopbackUpstream
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

/// ``ProviderEmbedder`` in-process: a real curl loop against a loopback upstream's embedding
/// endpoints (OpenAI's and Ollama's formats).
@Suite struct ProviderEmbedderTests {
    static func with(
        _ type: ProviderType = .openaiCompatible,
        capacity: Int = 4,
        _ body: (ProviderEmbedder, LoopbackUpstream) async throws -> Void
    ) async throws {
        try await ProviderCallerTests.with { caller, upstream in
            let base = type == .ollama ? upstream.baseURL.replacing("/v1", with: "") : upstream.baseURL
            let adapter = ProviderEndpoint(name: "e", type: type, baseURL: base, apiKey: nil, defaultModel: nil)
                .makeAdapter()
            let embedder = ProviderEmbedder(
                adapter: adapter,
                model: "words",
                caller: caller,
                capacity: capacity,
                logger: Logger(label: "test")
            )
            try await body(embedder, upstream)
        }
    }

    static func length(_ vector: [Float]) -> Float { vector.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    @Test(arguments: [ProviderType.openaiCompatible, .ollama])
    func vectorsComeBackUnitLengthInTheProvidersFormat(type: ProviderType) async throws {
        try await Self.with(type) { embedder, upstream in
            upstream.register(model: "words", .wordVectors(dimensions: 64))
            let a = try #require(await embedder.embed("Reverse a list", waitingAtMost: .seconds(5)))
            let b = try #require(await embedder.embed("reverse A LIST!", waitingAtMost: .seconds(5)))
            #expect(a.count == 64 && abs(Self.length(a) - 1) < 1e-5)
            #expect(a == b, "the same words, the same direction")
            #expect(embedder.identity == "e/words")
            let sent = try #require(upstream.requests().last)
            #expect(sent.path == (type == .ollama ? "/api/embed" : "/v1/embeddings") && sent.model == "words")
        }
    }

    @Test func aFailingEndpointIsAMiss() async throws {
        try await Self.with { embedder, upstream in
            upstream.register(model: "words", .openAIError(status: 500, message: "boom"))
            #expect(await embedder.embed("anything", waitingAtMost: .seconds(5)) == nil)
            upstream.register(model: "words", .raw(pieces: [Array(#"{"data":[]}"#.utf8)], delay: .zero))
            #expect(await embedder.embed("anything", waitingAtMost: .seconds(5)) == nil)
            upstream.register(model: "words", .wordVectors(dimensions: 8))
            #expect(await embedder.embed("", waitingAtMost: .seconds(5)) == nil, "a zero vector matches nothing")
        }
    }

    @Test func aSlowEndpointIsAMissWhenTheLimitPasses() async throws {
        try await Self.with { embedder, upstream in
            upstream.register(model: "words", .wordVectors(dimensions: 8, delay: .seconds(10)))
            let started = ContinuousClock.now
            #expect(await embedder.embed("slow", waitingAtMost: .milliseconds(200)) == nil)
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test func callsOverTheCapacityMissAtOnce() async throws {
        try await Self.with(capacity: 1) { embedder, upstream in
            upstream.register(model: "words", .wordVectors(dimensions: 8, delay: .milliseconds(800)))
            async let first = embedder.embed("first", waitingAtMost: .seconds(5))
            // Until the first call holds the one slot: a fixed sleep was sometimes too short under the
            // parallel suite's load, and "second" took the slot itself.
            let deadline = ContinuousClock.now + .seconds(5)
            while upstream.requests().isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            let started = ContinuousClock.now
            #expect(await embedder.embed("second", waitingAtMost: .seconds(5)) == nil)
            #expect(ContinuousClock.now - started < .milliseconds(300), "no wait for a slot")
            #expect(await first != nil)
            embedder.stop()
            #expect(await embedder.embed("after", waitingAtMost: .seconds(5)) == nil)
        }
    }
}
