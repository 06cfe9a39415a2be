import LoopbackUpstream
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

/// ``ProviderCaller`` in-process: a real curl loop against a loopback upstream's `POST /v1/embeddings`.
@Suite struct ProviderCallerTests {
    /// Not key-shaped, so only the caller's own scrubbing (not the provider-text heuristics) hides it.
    static let key = "hunter2plain"

    struct Embeddings: Decodable, Equatable {
        var data: [Entry]
        struct Entry: Decodable, Equatable { var embedding: [Double] }
    }

    static func adapter(_ upstream: LoopbackUpstream) -> any ProviderAdapter {
        ProviderEndpoint(
            name: "p",
            type: .openaiCompatible,
            baseURL: upstream.baseURL,
            apiKey: Secret(key),
            defaultModel: nil
        ).makeAdapter()
    }

    static func embed(_ model: String) throws -> ProviderCall {
        try ProviderCall.post("/embeddings", json: ["model": model, "input": "hello"], provider: "p")
    }

    static let timeouts = TransferTimeouts(connect: .seconds(5), total: .seconds(10))

    /// Runs `body` with a started curl loop and one upstream, and stops both afterwards.
    static func with(_ body: (ProviderCaller, LoopbackUpstream) async throws -> Void) async throws {
        let loop = try CurlLoop()
        loop.start()
        let upstream = try await LoopbackUpstream.start()
        do {
            try await body(ProviderCaller(http: loop), upstream)
        } catch {
            try? await upstream.shutdown()
            await loop.shutdown()
            throw error
        }
        try await upstream.shutdown()
        await loop.shutdown()
    }

    /// The error `call` ends with, or a failed expectation when it succeeds.
    static func failure(
        _ caller: ProviderCaller,
        _ call: ProviderCall,
        on adapter: any ProviderAdapter,
        maxBodyBytes: Int = ProviderCaller.maxBodyBytes
    ) async -> RPCError? {
        do {
            _ = try await caller.call(call, on: adapter, timeouts: timeouts, maxBodyBytes: maxBodyBytes)
            Issue.record("the call succeeded")
            return nil
        } catch {
            return error
        }
    }

    @Test func aJSONAnswerIsReturnedAndDecoded() async throws {
        try await Self.with { caller, upstream in
            let response = try await caller.call(
                try Self.embed("e"),
                on: Self.adapter(upstream),
                timeouts: Self.timeouts
            )
            #expect(response.status == 200 && response.provider == "p")
            #expect(try response.decode(Embeddings.self) == Embeddings(data: [.init(embedding: [0.25, -0.5, 1])]))
            #expect(try response.json()["usage"]?["total_tokens"] == .number(2))
            let sent = try #require(upstream.requests().last)
            #expect(sent.method == "POST" && sent.path == "/v1/embeddings" && sent.model == "e")
            #expect(sent.header("authorization") == "Bearer \(Self.key)" && sent.header("accept") == "application/json")
            #expect(throws: RPCError.self) { try response.decode([String].self) }
        }
    }

    @Test func rateLimitsKeepTheProvidersRetryHint() async throws {
        try await Self.with { caller, upstream in
            upstream.register(
                model: "limited",
                .openAIError(
                    status: 429,
                    message: "Rate limit reached",
                    type: "requests",
                    code: "rate_limit_exceeded",
                    headers: [HTTPField("retry-after", "2")]
                )
            )
            let error = try #require(await Self.failure(caller, try Self.embed("limited"), on: Self.adapter(upstream)))
            #expect(error.type == .rateLimited && error.data.retryAfterMs == 2000 && error.data.retryable == true)
            #expect(error.data.upstreamStatus == 429 && error.data.provider == "p")
            #expect(error.message.contains("Rate limit reached"))
        }
    }

    @Test func rejectedCredentialsAreUpstreamAuthWithoutTheKey() async throws {
        try await Self.with { caller, upstream in
            upstream.register(
                model: "denied",
                .openAIError(
                    status: 401,
                    message: "Incorrect API key provided: \(Self.key)",
                    type: "invalid_request_error"
                )
            )
            let error = try #require(await Self.failure(caller, try Self.embed("denied"), on: Self.adapter(upstream)))
            #expect(error.type == .upstreamAuth && error.data.upstreamStatus == 401)
            #expect(error.message.contains("Incorrect API key provided") && !error.message.contains(Self.key))
        }
    }

    @Test func anAnswerOverTheCapIsABadResponse() async throws {
        try await Self.with { caller, upstream in
            let adapter = Self.adapter(upstream)
            let error = try #require(await Self.failure(caller, try Self.embed("e"), on: adapter, maxBodyBytes: 64))
            #expect(error.type == .upstreamBadResponse && error.message == "p: the response exceeded 64 bytes")
            // The default cap is far above a small answer.
            _ = try await caller.call(try Self.embed("e"), on: adapter, timeouts: Self.timeouts)
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        try await Self.with { caller, upstream in
            upstream.register(model: "stall", .stall)
            let call = try Self.embed("stall")
            let adapter = Self.adapter(upstream)
            let task = Task { await Self.failure(caller, call, on: adapter) }
            while !upstream.requests().contains(where: { $0.model == "stall" }) {
                try await Task.sleep(for: .milliseconds(5))
            }
            let started = ContinuousClock.now
            task.cancel()
            let error = await task.value
            #expect(error?.type == .cancelled)
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(await upstream.waitForConnectionClose(model: "stall", timeout: .seconds(5))?.clientClosedAt != nil)
        }
    }

    @Test func transportAndBuildFailuresAreMappedAndNamed() async throws {
        try await Self.with { caller, upstream in
            let closed = try await LoopbackUpstream.start()
            let dead = Self.adapter(closed)
            try await closed.shutdown()
            let unreachable = try #require(await Self.failure(caller, try Self.embed("e"), on: dead))
            #expect(unreachable.type == .upstreamError && unreachable.data.provider == "p")
            #expect(unreachable.data.upstreamStatus == nil)

            let regionless = ProviderEndpoint(
                name: "b",
                type: .bedrock,
                baseURL: upstream.baseURL,
                apiKey: Secret(Self.key),
                defaultModel: nil
            ).makeAdapter()
            let unbuilt = try #require(await Self.failure(caller, try Self.embed("e"), on: regionless))
            #expect(unbuilt.type == .upstreamAuth && unbuilt.data.provider == "b")
        }
    }

    @Test func sizesReadAsWritten() {
        #expect(ProviderCaller.size(4 * 1024 * 1024) == "4 MiB")
        #expect(ProviderCaller.size(64 * 1024) == "64 KiB")
        #expect(ProviderCaller.size(1000) == "1000 bytes")
    }
}
