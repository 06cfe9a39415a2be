import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The semantic tier with a provider's embedding endpoint (`cache.semantic.embedding: {provider,
/// model}`) through the real daemon: the loopback upstream's bag-of-words vectors make rewordings
/// with the same words identical and other questions distant.
@Suite struct ProviderEmbeddingTests {
    static func request(_ prompt: String) -> StreamRequest {
        StreamRequest(prompt: prompt, provider: "a", maxTokens: 100, temperature: 0)
    }

    /// The upstream serves chat as `a` (OpenAI's format) and embeddings as `e`, of `type`.
    static func config(_ upstreams: Upstreams, type: String) -> String {
        let root = upstreams["a"].baseURL
        let base = type == "ollama" ? String(root.dropLast("/v1".count)) : root
        return upstreams.config(
            """
            cache:
              semantic:
                enabled: true
                embedding: {provider: e, model: words}
                max_lookup_ms: 5000
            """,
            extraProviders: "  - name: e\n    type: \(type)\n    base_url: \(base)\n"
        )
    }

    static func embeddingCalls(_ upstreams: Upstreams) -> Int {
        upstreams["a"].requests().filter { $0.path == "/v1/embeddings" || $0.path == "/api/embed" }.count
    }

    @Test(arguments: ["openai-compatible", "ollama"])
    func aRewordingWithTheSameWordsHitsThroughTheProvidersVectors(type: String) async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["Use ", "reversed()."]))
            upstreams["a"].register(model: "words", .wordVectors(dimensions: 64))
            try await DaemonProcess.withClient(config: Self.config(upstreams, type: type)) { daemon, client in
                let first = try await client.generate(Self.request("How do I reverse a list in Python?"))
                #expect(
                    first.cache?.status == .miss && first.cache?.stored == true,
                    "\(String(describing: first.cache))"
                )

                let reworded = try await streamOnce(client, Self.request("how do I REVERSE a list, in python"))
                let hit = try #require(reworded.result, "\(String(describing: reworded.error))")
                #expect(hit.cache?.status == .semanticHit && (hit.cache?.similarity ?? 0) > 0.999, "\(hit)")
                #expect(hit.text == "Use reversed()." && reworded.chunks.map(\.type) == [.text, .text, .finish])

                let other = try await client.generate(Self.request("Which port does SSH use?"))
                #expect(other.cache?.status == .miss && (other.cache?.similarity ?? 1) < 0.5)
                #expect(upstreams.chatRequests("a") == 2)
                #expect(Self.embeddingCalls(upstreams) == 3, "one call per lookup")

                let semantic = try #require(try await client.cacheStats().semantic)
                #expect(semantic.embedding == "e/words" && semantic.hits == 1 && semantic.entries == 2, "\(semantic)")
                let shown = try await runTool(
                    DaemonProcess.binary("nlctl"),
                    ["cache", "stats", "--socket", daemon.socketPath]
                )
                #expect(shown.stdout.contains("semantic tier (e/words): 2 prompts indexed"), "\(shown.stdout)")
            }
        }
    }

    @Test func aFailingEmbeddingEndpointOnlyCostsTheSemanticTier() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["answer"]))
            upstreams["a"].register(model: "words", .openAIError(status: 503, message: "embeddings are down"))
            try await DaemonProcess.withClient(config: Self.config(upstreams, type: "openai-compatible")) { _, client in
                let first = try await client.generate(Self.request("How do I reverse a list in Python?"))
                #expect(first.text == "answer" && first.cache?.status == .miss)
                let again = try await client.generate(Self.request("How do I reverse a list in Python?"))
                #expect(again.cache?.status == .hit, "the exact tier works without vectors")
                let reworded = try await client.generate(Self.request("how do I REVERSE a list, in python"))
                #expect(reworded.text == "answer" && reworded.cache?.status == .miss)
                let semantic = try #require(try await client.cacheStats().semantic)
                #expect(semantic.unavailable >= 1 && semantic.hits == 0, "\(semantic)")
            }
        }
    }
}
