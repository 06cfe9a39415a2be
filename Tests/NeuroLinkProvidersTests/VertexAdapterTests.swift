import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing
import _CryptoExtras

@testable import NeuroLinkProviders

@Suite struct VertexAdapterTests {
    static func endpoint(
        baseURL: String = "",
        options: [String: String] = [:],
        key: Secret? = nil
    ) throws -> ProviderEndpoint {
        let test = try #require(VertexTestAccount.shared)
        var all = [
            VertexSettings.Key.project: "project-x", VertexSettings.Key.location: "europe-west4",
            VertexSettings.Key.auth: "service_account", VertexSettings.Key.clientEmail: test.email,
            VertexSettings.Key.privateKeyId: test.keyId, VertexSettings.Key.tokenURI: "http://127.0.0.1:9/token",
        ]
        all.merge(options) { $1 }
        return ProviderEndpoint(
            name: "vx",
            type: .vertex,
            baseURL: baseURL,
            apiKey: key ?? Secret(test.key.pkcs8PEMRepresentation),
            defaultModel: "gemini-2.0-flash",
            headers: [HTTPHeader("X-Extra", "1")],
            options: all
        )
    }

    static let chat = ChatRequest(
        messages: [ChatMessage(role: "system", content: "be brief"), ChatMessage(role: "user", content: "hi")],
        model: "gemini-2.0-flash",
        maxTokens: 50,
        temperature: 0.2
    )

    @Test func streamURLBodyAndBearerToken() async throws {
        let tokens = RecordingTokenEndpoint { RecordingTokenEndpoint.token("ya29.token-\($0)") }
        let adapter = VertexAdapter(endpoint: try Self.endpoint(), post: tokens.post, clock: { Date() })
        var request = try adapter.httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        #expect(
            request.url == "https://europe-west4-aiplatform.googleapis.com/v1/projects/project-x/locations/europe-west4"
                + "/publishers/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
        )
        #expect(request.headers.first(named: "authorization") == nil)  // added just before sending
        #expect(request.headers.first(named: "x-extra") == "1" && request.headers.first(named: "x-goog-api-key") == nil)
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(request.body)))
        #expect(body["systemInstruction"] == .object(["parts": .array([.object(["text": .string("be brief")])])]))
        #expect(body["generationConfig"]?["maxOutputTokens"] == .number(50))

        try await adapter.authorize(&request)
        try await adapter.authorize(&request)  // a second call replaces the header, it does not add one
        #expect(
            request.headers.filter { $0.name.lowercased() == "authorization" }.map(\.value) == ["Bearer ya29.token-1"]
        )
        var second = try adapter.httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        try await adapter.authorize(&second)
        #expect(second.headers.first(named: "authorization") == "Bearer ya29.token-1")
        #expect(tokens.recorded.count == 1)  // cached

        // A 401 drops the cached token: the next request fetches another.
        let error = adapter.error(
            status: 401,
            headers: [],
            body: Array(
                #"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#
                    .utf8
            )
        )
        #expect(error.type == .upstreamAuth && error.message.contains("UNAUTHENTICATED"))
        try await Task.sleep(for: .milliseconds(50))
        var third = try adapter.httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        try await adapter.authorize(&third)
        #expect(third.headers.first(named: "authorization") == "Bearer ya29.token-2")
    }

    @Test func globalLocationBaseOverrideAndModelNames() throws {
        let global = VertexAdapter(
            endpoint: try Self.endpoint(options: [VertexSettings.Key.location: "global"]),
            http: nil
        )
        var chat = Self.chat
        chat.model = "publishers/google/models/gemini-2.5-pro"
        #expect(
            try global.httpRequest(for: chat, timeouts: TransferTimeouts()).url
                == "https://aiplatform.googleapis.com/v1/projects/project-x/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse"
        )
        let local = VertexAdapter(endpoint: try Self.endpoint(baseURL: "http://127.0.0.1:8/"), http: nil)
        chat.model = "gemini 2.5:x"
        #expect(
            try local.httpRequest(for: chat, timeouts: TransferTimeouts()).url
                == "http://127.0.0.1:8/v1/projects/project-x/locations/europe-west4/publishers/google/models/gemini%202.5%3Ax:streamGenerateContent?alt=sse"
        )
        #expect(throws: RPCError.self) {
            try VertexAdapter(endpoint: try Self.endpoint(options: [VertexSettings.Key.project: "a/b"]), http: nil)
                .httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        }
    }

    @Test func tokenFailuresAreUpstreamAuthAndNeverShowTheKey() async throws {
        let refusing = RecordingTokenEndpoint { _ in
            TokenEndpointClient.Response(
                status: 401,
                body: Array(#"{"error":"invalid_client","error_description":"The OAuth client was not found."}"#.utf8)
            )
        }
        let endpoint = try Self.endpoint()
        let adapter = VertexAdapter(endpoint: endpoint, post: refusing.post, clock: { Date() })
        var request = try adapter.httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        await #expect(throws: RPCError.self) { try await adapter.authorize(&request) }
        do { try await adapter.authorize(&request) } catch {
            #expect(error.type == .upstreamAuth && error.data.provider == "vx")
            #expect(error.message.contains("invalid_client: The OAuth client was not found."))
            #expect(
                !error.message.contains("PRIVATE KEY")
                    && !error.message.contains(endpoint.apiKey?.value.prefix(60) ?? "?")
            )
        }
        // Without an HTTP engine or a token source, requests fail the same way, with the reason.
        let noEngine = VertexAdapter(endpoint: endpoint, http: nil)
        do { try await noEngine.authorize(&request) } catch {
            #expect(error.type == .upstreamAuth && error.message.contains("HTTP engine"))
        }
        let unconfigured = VertexAdapter(
            endpoint: try Self.endpoint(options: [VertexSettings.Key.auth: "nothing"]),
            http: nil
        )
        do { try await unconfigured.authorize(&request) } catch { #expect(error.type == .upstreamAuth) }
    }

    @Test func tokenCommandSource() async throws {
        let script = try VertexTokenCommandTests.script("echo ya29.from-command")
        let words = String(decoding: try JSONEncoder().encode([script]), as: UTF8.self)
        let adapter = VertexAdapter(
            endpoint: try Self.endpoint(options: [VertexSettings.Key.auth: "token_command"], key: Secret(words)),
            http: nil
        )
        var request = try adapter.httpRequest(for: Self.chat, timeouts: TransferTimeouts())
        try await adapter.authorize(&request)
        #expect(request.headers.first(named: "authorization") == "Bearer ya29.from-command")
    }

    @Test func decoderAndModelListing() throws {
        let adapter = VertexAdapter(endpoint: try Self.endpoint(), http: nil)
        var decoder = adapter.makeDecoder()
        var events: [ProviderEvent] = []
        try decoder.decode(
            Array(
                #"data: {"candidates":[{"content":{"parts":[{"text":"Hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}}"#
                    .utf8
            ) + [13, 10, 13, 10],
            into: &events
        )
        try decoder.finish(into: &events)
        #expect(events == [.text("Hi"), .finish(.stop), .usage(Usage(inputTokens: 3, outputTokens: 1))])

        let listing = try #require(adapter.modelsRequest(timeouts: TransferTimeouts()))
        #expect(
            listing.method == "GET"
                && listing.url
                    == "https://europe-west4-aiplatform.googleapis.com/v1beta1/publishers/google/models?pageSize=300"
        )
        let body =
            #"{"publisherModels":[{"name":"publishers/google/models/gemini-2.0-flash-001","versionId":"001","launchStage":"GA"},{"name":"publishers/google/models/imagen-3.0"}],"nextPageToken":"x"}"#
        #expect(try adapter.parseModels(Array(body.utf8)).map(\.id) == ["gemini-2.0-flash-001", "imagen-3.0"])
        #expect(try adapter.parseModels(Array("{}".utf8)).isEmpty)
        #expect(throws: RPCError.self) { try adapter.parseModels(Array(#"{"publisherModels":"x"}"#.utf8)) }
    }
}
