import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The response cache's exact tier through the real daemon: a hit replays the same chunks without
/// reaching the provider, every key field matters, what must not be stored is not, and entries
/// outlive a restart but not their TTL.
@Suite struct CacheTests {
    static func config(_ upstreams: Upstreams, _ extra: String = "") -> String {
        upstreams.config("analytics:\n  flush_interval_ms: 100\n" + extra)
    }

    /// A deterministic request (temperature 0) to upstream `a`.
    static func request(_ prompt: String = "What is 6 × 7?") -> StreamRequest {
        StreamRequest(prompt: prompt, provider: "a", maxTokens: 100, temperature: 0)
    }

    /// What a client sees of a stream, without what legitimately differs on a hit (the finish's usage).
    static func shape(_ outcome: StreamOutcome) -> [String] {
        outcome.chunks.map { chunk in
            "\(chunk.type) \(chunk.content ?? "") \(chunk.toolCall.map { "\($0)" } ?? "") \(chunk.finishReason.map { "\($0)" } ?? "")"
        }
    }

    @Test func aHitReplaysTheSameChunksWithoutReachingTheProvider() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(
                model: "m",
                .stream(OpenAIStream(pieces: ["Forty", "-two", "."], delay: .milliseconds(20), usage: (12, 3)))
            )
            try await DaemonProcess.withClient(config: Self.config(upstreams)) { daemon, client in
                let first = try await streamOnce(client, Self.request())
                let made = try #require(first.result, "\(String(describing: first.error))")
                #expect(made.cache?.status == .miss && made.cache?.stored == true)
                let second = try await streamOnce(client, Self.request())
                let hit = try #require(second.result)
                #expect(Self.shape(second) == Self.shape(first))
                #expect(hit.text == "Forty-two." && hit.finishReason == .stop)
                #expect(hit.cache?.status == .hit && hit.cache?.key == made.cache?.key)
                #expect(hit.cache?.savedUsage?.outputTokens == 3 && hit.cache?.savedUsage?.inputTokens == 12)
                #expect(hit.usage?.inputTokens == 0 && hit.usage?.outputTokens == 0, "a hit bills nothing")
                #expect(upstreams.chatRequests("a") == 1)
                // `generate` shares the entry.
                #expect(try await client.generate(Self.request()).cache?.status == .hit)
                #expect(upstreams.chatRequests("a") == 1)

                let stats = try await client.cacheStats()
                #expect(stats.hits == 2 && stats.misses == 1 && stats.stored == 1 && stats.savedOutputTokens == 6)
                let entry = try await client.cacheInspect(key: try #require(made.cache?.key))
                #expect(entry.chunks == 3 && entry.finishReason == .stop && entry.model == made.model)
                let metrics = try await client.metrics()
                #expect(sample(metrics, #"neurolink_cache_requests_total{status="hit"}"#) == 2, "\(metrics)")

                try await waitUntil { (try await client.status().analytics?.rowsWritten ?? 0) == 3 }
                // Sorted: a record is written after its response, so a quick hit may be recorded first.
                let statuses = try await exportAll(client).compactMap { $0["cache_status"]?.stringValue }.sorted()
                #expect(statuses == ["hit", "hit", "miss"])
                _ = daemon
            }
        }
    }

    @Test func everyKeyFieldMattersAndTheLimitOnlyWhenItShapedTheAnswer() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .stream(OpenAIStream(pieces: ["one ", "two"], usage: (5, 2))))
            upstreams["a"].register(model: "m2", .text(["other model"]))
            try await DaemonProcess.withClient(config: Self.config(upstreams)) { _, client in
                _ = try await client.generate(Self.request())
                var variants: [(String, StreamRequest)] = []
                func variant(_ name: String, _ change: (inout StreamRequest) -> Void) {
                    var request = Self.request()
                    change(&request)
                    variants.append((name, request))
                }
                variant("prompt") { $0.input = .init(text: "What is 7 × 6?") }
                variant("system prompt") { $0.systemPrompt = "Answer in French." }
                variant("tool") { $0.tools = [ToolDefinition(name: "calc")] }
                variant("seed") { $0.seed = 7 }
                variant("top-p") { $0.topP = 0.5 }
                variant("stop") { $0.stop = ["END"] }
                variant("schema") { $0.schema = .object(["type": .string("object")]) }
                variant("model") { $0.model = "m2" }
                variant("namespace") { $0.cache = CacheControl(namespace: "docs") }
                for (index, (name, request)) in variants.enumerated() {
                    let result = try await client.generate(request)
                    #expect(result.cache?.status == .miss, "changing the \(name) must miss")
                    #expect(upstreams.chatRequests("a") == index + 2)
                }
                // The answer stopped after 2 tokens: any limit of at least 2 is served, a smaller one is not.
                var larger = Self.request()
                larger.maxTokens = 4000
                #expect(try await client.generate(larger).cache?.status == .hit)
                var smaller = Self.request()
                smaller.maxTokens = 1
                #expect(try await client.generate(smaller).cache?.status == .miss)
            }
        }
    }

    @Test func whatMustNotBeStoredIsNot() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["fine"]))
            upstreams["a"].register(model: "cut", .stream(OpenAIStream(pieces: ["trunc"], finishReason: "length")))
            upstreams["a"].register(model: "bad", .status(500))
            upstreams["a"].register(model: "slow", .text(["a", "b", "c"], delay: .milliseconds(400)))
            try await DaemonProcess.withClient(config: Self.config(upstreams)) { _, client in
                func twice(_ request: StreamRequest) async throws -> (StreamOutcome, StreamOutcome) {
                    (try await streamOnce(client, request), try await streamOnce(client, request))
                }
                var cut = Self.request()
                cut.model = "cut"
                let (cutFirst, cutSecond) = try await twice(cut)
                #expect(cutFirst.result?.cache?.stored == nil && cutSecond.result?.cache?.status == .miss)

                var bad = Self.request()
                bad.model = "bad"
                _ = try await twice(bad)
                #expect(try await client.cacheStats().stored == 0)

                var warm = Self.request()
                warm.temperature = 0.7
                let (warmFirst, _) = try await twice(warm)
                #expect(warmFirst.result?.cache?.status == .bypass, "not deterministic, not opted in")
                warm.cache = CacheControl(mode: .default)
                let (optIn, optInHit) = try await twice(warm)
                #expect(optIn.result?.cache?.stored == true && optInHit.result?.cache?.status == .hit)

                var noStore = Self.request("no store")
                noStore.cache = CacheControl(mode: .noStore)
                let (_, noStoreSecond) = try await twice(noStore)
                #expect(noStoreSecond.result?.cache?.status == .miss)

                var only = Self.request("never seen")
                only.cache = CacheControl(mode: .only)
                #expect(try await streamOnce(client, only).error?.type == .cacheMiss)

                // Cancelled mid-stream: not stored.
                var slow = Self.request()
                slow.model = "slow"
                let running = Task { try await streamOnce(client, slow) }
                try await waitUntil { upstreams["a"].requests().contains { $0.model == "slow" } }
                try await Task.sleep(for: .milliseconds(100))
                running.cancel()
                _ = try? await running.value
                try await waitUntil { upstreams["a"].requests().first { $0.model == "slow" }?.isSettled == true }
                #expect(try await client.cacheStats().stored == 1, "only the opted-in answer was stored")
            }
        }
    }

    @Test func entriesOutliveARestartButNotTheirTTL() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["kept"]))
            let directory = try DaemonProcess.makeDirectory()
            let first = try await DaemonProcess(config: Self.config(upstreams), directory: directory)
            try await NeuroLinkClient.withConnection(socketPath: first.socketPath) { client in
                _ = try await client.generate(Self.request())
                var short = Self.request("short-lived")
                short.cache = CacheControl(ttlMs: 1000)
                _ = try await client.generate(short)
            }
            // SIGTERM right away: the answers are written after the drain.
            first.send(SIGTERM)
            #expect(await first.waitForExit(timeout: .seconds(15)) == 0)
            try await DaemonProcess.withClient(config: Self.config(upstreams), directory: directory) { _, client in
                #expect(try await client.cacheStats().diskEntries == 2)
                #expect(try await client.generate(Self.request()).cache?.status == .hit)
                #expect(upstreams.chatRequests("a") == 2)
                try await Task.sleep(for: .milliseconds(1100))
                var short = Self.request("short-lived")
                short.cache = CacheControl(ttlMs: 1000)
                #expect(try await client.generate(short).cache?.status == .miss, "past its TTL")
            }
        }
    }

    @Test func aHitCanKeepTheOriginalPace() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["a", "b", "c"], delay: .milliseconds(150)))
            let config = Self.config(upstreams, "cache:\n  replay: original\n")
            try await DaemonProcess.withClient(config: config) { _, client in
                _ = try await client.generate(Self.request())
                let started = ContinuousClock.now
                let hit = try await streamOnce(client, Self.request())
                #expect(hit.result?.cache?.status == .hit)
                #expect(ContinuousClock.now - started >= .milliseconds(280), "two gaps of 150 ms")
            }
        }
    }

    @Test func nlctlBypassesRefreshesAndClears() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["cli"]))
            try await DaemonProcess.withClient(config: Self.config(upstreams)) { daemon, client in
                let nlctl = DaemonProcess.binary("nlctl")
                let base = ["--socket", daemon.socketPath, "-p", "a", "-t", "0", "--format", "json", "same prompt"]
                func cacheStatus(_ extra: [String]) async throws -> String? {
                    let run = try await runTool(nlctl, ["generate"] + extra + base)
                    let line = try #require(run.stdout.split(separator: "\n").last, "\(run.stderr)")
                    let json = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
                    return json["result"]?["cache"]?["status"]?.stringValue
                }
                #expect(try await cacheStatus([]) == "miss")
                #expect(try await cacheStatus([]) == "hit")
                #expect(try await cacheStatus(["--no-cache"]) == "bypass")
                #expect(try await cacheStatus(["--refresh-cache"]) == "bypass")
                #expect(upstreams.chatRequests("a") == 3)
                let stats = try await runTool(nlctl, ["cache", "stats", "--socket", daemon.socketPath])
                #expect(stats.status == 0 && stats.stdout.contains("hit rate"), "\(stats.stdout)\(stats.stderr)")
                let cleared = try await runTool(nlctl, ["cache", "clear", "--socket", daemon.socketPath])
                #expect(cleared.stdout == "removed 1 entry\n", "\(cleared.stdout)\(cleared.stderr)")
                #expect(try await cacheStatus([]) == "miss")

                // Warming: two new requests stored, one already there, one not eligible.
                let file = daemon.directory.appendingPathComponent("warm.jsonl").path
                try """
                {"input":{"text":"same prompt"},"provider":"a","temperature":0}
                {"input":{"text":"warm one"},"provider":"a","temperature":0}
                {"input":{"text":"warm two"},"provider":"a","temperature":0}
                {"input":{"text":"warm three"},"provider":"a","temperature":1}
                """.write(toFile: file, atomically: true, encoding: .utf8)
                let warm = try await runTool(nlctl, ["cache", "warm", "--socket", daemon.socketPath, file])
                #expect(
                    warm.stdout.hasPrefix("stored 2, already cached 1, not stored 1"),
                    "\(warm.stdout)\(warm.stderr)"
                )
                try await waitUntil { (try await client.status().analytics?.rowsWritten ?? 0) >= 9 }
                let analysis = try await runTool(nlctl, ["cache", "analyze", "--socket", daemon.socketPath])
                #expect(analysis.status == 0, "\(analysis.stderr)")
                #expect(
                    analysis.stdout.contains("hit rate") && analysis.stdout.contains("semantic tier: off"),
                    "\(analysis.stdout)"
                )
                let bad = try await runTool(nlctl, ["cache", "warm", "--socket", daemon.socketPath, "/nonexistent"])
                #expect(bad.status == 64 && bad.stderr.contains("cannot read"), "\(bad.stderr)")
                _ = client
            }
        }
    }
}

/// Two Unix users never share entries.
@Suite(.enabled(if: getuid() == 0, "connecting as another uid needs root to drop privileges"))
struct CacheTenantTests {
    @Test func aTenantNeverReceivesAnotherTenantsEntry() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["root's answer"]))
            let config = upstreams.config("server:\n  socket_mode: \"0666\"\n")
            try await DaemonProcess.withClient(config: config) { daemon, client in
                #expect(try await client.generate(CacheTests.request()).cache?.stored == true)
                let args =
                    ["generate", "--socket", daemon.socketPath, "-p", "a", "-t", "0", "--max-tokens", "100"]
                    + ["--format", "json", "What is 6 × 7?"]
                let other = try await TenantLimitTests.nlctlAsOtherUser(args)
                #expect(other.status == 0, "\(other.stderr)")
                #expect(other.stdout.contains(#""status":"miss""#), "another uid must miss: \(other.stdout)")
                #expect(upstreams.chatRequests("a") == 2)
                let again = try await TenantLimitTests.nlctlAsOtherUser(args)
                #expect(again.stdout.contains(#""status":"hit""#), "its own entry serves it: \(again.stdout)")
                #expect(upstreams.chatRequests("a") == 2)
            }
        }
    }
}
