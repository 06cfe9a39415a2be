import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The semantic tier through the real daemon with the local embedding model (installed by
/// scripts/embedding-model.sh, which scripts/test.sh runs). Serial: each daemon loads the 90 MB
/// model and a debug build's forward passes keep a core busy.
@Suite struct SemanticCacheSerialTests {
    /// `model_dir` only when scripts/test.sh names one; otherwise the daemon's own default.
    static var modelDirectory: String {
        ProcessInfo.processInfo.environment["NEUROLINK_MODEL_DIR"].map { "\n    model_dir: \($0)" } ?? ""
    }

    static func request(_ prompt: String, system: String? = nil) -> StreamRequest {
        StreamRequest(prompt: prompt, provider: "a", maxTokens: 100, temperature: 0, systemPrompt: system)
    }

    @Test func aRewordingHitsButANegationAnotherScopeOrAnOptOutDoNot() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["Use ", "reversed()."]))
            let config = upstreams.config(
                """
                cache:
                  semantic:
                    enabled: true\(Self.modelDirectory)
                    max_lookup_ms: 5000
                """
            )
            try await DaemonProcess.withClient(config: config) { _, client in
                let first = try await client.generate(Self.request("How do I reverse a list in Python?"))
                #expect(first.cache?.status == .miss && first.cache?.stored == true)

                let reworded = try await streamOnce(client, Self.request("How can I reverse a list in Python?"))
                let hit = try #require(reworded.result, "\(String(describing: reworded.error))")
                #expect(hit.cache?.status == .semanticHit && (hit.cache?.similarity ?? 0) >= 0.95, "\(hit)")
                #expect(hit.text == "Use reversed()." && reworded.chunks.map(\.type) == [.text, .text, .finish])
                #expect(upstreams.chatRequests("a") == 1)

                let negated = try await client.generate(Self.request("How do I not reverse a list in Python?"))
                #expect(negated.cache?.status == .refused, "\(String(describing: negated.cache))")
                #expect(negated.cache?.refusal == "negation")
                let metrics = try await client.metrics()
                #expect(
                    sample(metrics, #"neurolink_cache_semantic_refusals_total{reason="negation"}"#) == 1,
                    "\(metrics)"
                )
                let otherSystem = try await client.generate(
                    Self.request("How can I reverse a list in Python?", system: "Answer in French.")
                )
                #expect(otherSystem.cache?.status == .miss, "another system prompt is another scope")
                var optOut = Self.request("How could I reverse a list in Python?")
                optOut.cache = CacheControl(semantic: false)
                #expect(try await client.generate(optOut).cache?.status == .miss)
                #expect(upstreams.chatRequests("a") == 4)

                // A refreshed answer's prompt is indexed too.
                var refreshed = Self.request("How do I merge two dictionaries in Python?")
                refreshed.cache = CacheControl(mode: .refresh)
                #expect(try await client.generate(refreshed).cache?.stored == true)
                let similar = try await client.generate(Self.request("How can I merge two dictionaries in Python?"))
                #expect(similar.cache?.status == .semanticHit, "\(String(describing: similar.cache))")
                #expect(upstreams.chatRequests("a") == 5)

                let semantic = try #require(try await client.cacheStats().semantic)
                #expect(semantic.hits == 2 && semantic.refusals["negation"] == 1, "\(semantic)")
                #expect(semantic.entries >= 3)
            }
        }
    }

    @Test func aMissingModelLeavesTheExactTierWorkingAndSaysWhy() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["exact"]))
            let config = upstreams.config("cache:\n  semantic:\n    enabled: true\n    model_dir: /nonexistent\n")
            try await DaemonProcess.withClient(config: config) { _, client in
                _ = try await client.generate(Self.request("Hello there"))
                #expect(try await client.generate(Self.request("Hello there")).cache?.status == .hit)
                let stats = try await client.cacheStats()
                #expect(stats.semantic == nil && stats.semanticError?.contains("/nonexistent") == true)
            }
        }
    }
}
