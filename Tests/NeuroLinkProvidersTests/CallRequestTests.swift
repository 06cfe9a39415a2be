import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// Every adapter's ``ProviderAdapter/callRequest(_:timeouts:)``: the non-streamed call below its API
/// root, with the same credentials, headers, version and signing as its stream.
@Suite struct CallRequestTests {
    static let timeouts = TransferTimeouts(connect: .seconds(2), total: .seconds(9))
    static let key = "sk-call-0123456789"
    static let body = Array(#"{"model":"e","input":["a"]}"#.utf8)
    static let embed = ProviderCall(method: "POST", path: "/embeddings", body: body)
    static let chat = ChatRequest(
        messages: [ChatMessage(role: "user", content: "hi")],
        model: "m",
        maxTokens: 5,
        temperature: nil
    )

    static func endpoint(
        _ type: ProviderType,
        base: String,
        key: String? = key,
        options: [String: String] = [:],
        headers: [HTTPHeader] = [HTTPHeader("X-Extra", "1")],
        aws: AWSCredentials? = nil
    ) -> ProviderEndpoint {
        ProviderEndpoint(
            name: "p",
            type: type,
            baseURL: base,
            apiKey: key.map(Secret.init),
            defaultModel: nil,
            headers: headers,
            options: options,
            awsCredentials: aws
        )
    }

    /// What every JSON call carries whatever the provider: method, body, timeouts, JSON headers and
    /// the configured header.
    static func expectJSONCall(_ request: HTTPRequest, method: String = "POST", body: [UInt8]? = body) {
        #expect(request.method == method && request.body == body && request.timeouts == timeouts)
        #expect(request.headers.first(named: "content-type") == (body == nil ? nil : "application/json"))
        #expect(request.headers.first(named: "accept") == "application/json")
        #expect(request.headers.first(named: "x-extra") == "1")
    }

    @Test func queryItemsArePercentEncodedAfterTheAdaptersOwn() {
        let call = ProviderCall.get("/models", query: [.init("q", "a b&c=d/é"), .init("n", "1")])
        #expect(call.url(root: "http://h/v1") == "http://h/v1/models?q=a%20b%26c%3Dd%2F%C3%A9&n=1")
        #expect(
            call.url(root: "http://h", leading: [.init("v", "2")]) == "http://h/models?v=2&q=a%20b%26c%3Dd%2F%C3%A9&n=1"
        )
        #expect(ProviderCall.get("/x").url(root: "http://h") == "http://h/x")
    }

    @Test func postEncodesItsBodyAsJSON() throws {
        let call = try ProviderCall.post("/embeddings", json: ["input": "hi"], provider: "p")
        #expect(
            call.method == "POST" && call.body == Array(#"{"input":"hi"}"#.utf8) && call.accept == "application/json"
        )
        #expect(throws: RPCError.self) { try ProviderCall.post("/x", json: [Double.nan], provider: "p") }
    }

    @Test func openAIAndCompatibleSendTheKeyAsBearer() throws {
        let openai = OpenAIAdapter(endpoint: Self.endpoint(.openai, base: "https://api.openai.com/v1/"))
        let request = openai.callRequest(Self.embed, timeouts: Self.timeouts)
        #expect(request.url == "https://api.openai.com/v1/embeddings")
        #expect(request.headers.first(named: "authorization") == "Bearer \(Self.key)")
        Self.expectJSONCall(request)
        let local = OpenAIAdapter(
            endpoint: Self.endpoint(.openaiCompatible, base: "http://127.0.0.1:8080/v1", key: nil)
        )
        #expect(local.callRequest(Self.embed, timeouts: Self.timeouts).headers.first(named: "authorization") == nil)
    }

    @Test func azureAddsTheAPIVersionFirstAndTheKeyHeader() throws {
        let azure = AzureOpenAIAdapter(
            endpoint: Self.endpoint(.azure, base: "https://r.openai.azure.com", options: ["api_version": "2024-06-01"])
        )
        var call = Self.embed
        call.path = try azure.deploymentPath(model: "text-embedding-3-small") + "/embeddings"
        call.query = [.init("x", "1")]
        let request = azure.callRequest(call, timeouts: Self.timeouts)
        #expect(
            request.url
                == "https://r.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-06-01&x=1"
        )
        #expect(
            request.headers.first(named: "api-key") == Self.key && request.headers.first(named: "authorization") == nil
        )
        Self.expectJSONCall(request)
        #expect(throws: RPCError.self) { try azure.deploymentPath(model: "../x") }
    }

    @Test func anthropicSendsVersionAndKeyAndConfiguredHeadersWin() throws {
        let anthropic = AnthropicAdapter(endpoint: Self.endpoint(.anthropic, base: "https://api.anthropic.com/v1"))
        let request = anthropic.callRequest(.get("/models/claude-x"), timeouts: Self.timeouts)
        #expect(request.url == "https://api.anthropic.com/v1/models/claude-x")
        #expect(request.headers.first(named: "x-api-key") == Self.key)
        #expect(request.headers.first(named: "anthropic-version") == AnthropicAdapter.defaultAPIVersion)
        Self.expectJSONCall(request, method: "GET", body: nil)
        let pinned = AnthropicAdapter(
            endpoint: Self.endpoint(
                .anthropic,
                base: "https://api.anthropic.com/v1",
                headers: [HTTPHeader("Anthropic-Version", "2099-01-01"), HTTPHeader("X-Extra", "1")]
            )
        )
        let versions = pinned.callRequest(Self.embed, timeouts: Self.timeouts).headers.filter {
            $0.name.lowercased() == "anthropic-version"
        }
        #expect(versions.map(\.value) == ["2099-01-01"])
    }

    @Test func geminiSendsTheKeyInAHeaderOnly() throws {
        let gemini = GeminiAdapter(
            endpoint: Self.endpoint(.googleAI, base: "https://generativelanguage.googleapis.com/v1beta")
        )
        var call = Self.embed
        call.path = "/models/\(try GeminiAdapter.pathSegment("models/text-embedding-004", provider: "p")):embedContent"
        let request = gemini.callRequest(call, timeouts: Self.timeouts)
        #expect(
            request.url == "https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent"
        )
        #expect(request.headers.first(named: "x-goog-api-key") == Self.key && !request.url.contains("key="))
        Self.expectJSONCall(request)
    }

    @Test func ollamaCallsTheServerRoot() {
        let ollama = OllamaAdapter(endpoint: Self.endpoint(.ollama, base: "http://127.0.0.1:11434", key: nil))
        var call = Self.embed
        call.path = "/api/embed"
        let request = ollama.callRequest(call, timeouts: Self.timeouts)
        #expect(
            request.url == "http://127.0.0.1:11434/api/embed" && request.headers.first(named: "authorization") == nil
        )
        Self.expectJSONCall(request)
        let cloud = OllamaAdapter(endpoint: Self.endpoint(.ollama, base: "https://ollama.com"))
        #expect(
            cloud.callRequest(call, timeouts: Self.timeouts).headers.first(named: "authorization")
                == "Bearer \(Self.key)"
        )
    }

    /// The stream and a call to the same path carry the same credentials and configured headers: one
    /// place per adapter builds both.
    @Test(arguments: [ProviderType.openai, .azure, .anthropic, .googleAI, .ollama])
    func streamsAreBuiltThroughTheCallPath(type: ProviderType) throws {
        let adapter = Self.endpoint(type, base: "https://example.com/v1").makeAdapter()
        let stream = try adapter.httpRequest(for: Self.chat, timeouts: Self.timeouts)
        let path = try #require(stream.url.split(separator: "?").first).dropFirst("https://example.com/v1".count)
        let call = ProviderCall(method: "POST", path: String(path), body: stream.body, accept: "text/event-stream")
        let direct = try adapter.callRequest(call, timeouts: Self.timeouts)
        let credentials = ["authorization", "api-key", "x-api-key", "x-goog-api-key", "anthropic-version", "x-extra"]
        for name in credentials {
            #expect(direct.headers.first(named: name) == stream.headers.first(named: name), "\(type): \(name)")
        }
        #expect(stream.url.hasPrefix(direct.url.split(separator: "?").first.map(String.init) ?? "?"))
    }

    @Test func adaptersForStreamsOnlyRefuseCalls() throws {
        struct StreamOnly: ProviderAdapter {
            let endpoint = CallRequestTests.endpoint(.openaiCompatible, base: "http://x")
            func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
                HTTPRequest(url: endpoint.baseURL)
            }
            func makeDecoder() -> any ProviderStreamDecoder { OpenAIStreamDecoder(provider: "s") }
            func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError { RPCError(.upstreamError, "x") }
        }
        let adapter: any ProviderAdapter = StreamOnly()
        #expect(throws: RPCError.self) { try adapter.callRequest(Self.embed, timeouts: Self.timeouts) }
    }
}

/// The SigV4-signed adapters' calls, against the signer (itself checked with AWS's test vectors).
@Suite struct SignedCallRequestTests {
    static let fixedDate = Date(timeIntervalSince1970: 1_440_938_160)
    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    )

    /// `request`'s `authorization` is the signer's over its other headers and body, for `service`.
    static func expectSigned(_ request: HTTPRequest, service: String, signedHeaders: String) throws {
        let authorization = try #require(request.headers.first(named: "authorization"))
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/\(service)/aws4_request, SignedHeaders=\(signedHeaders), Signature="
            )
        )
        let unsigned = request.headers.filter { !["authorization", "x-amz-date"].contains($0.name.lowercased()) }
        let expected = try SigV4Signer(
            credentials: credentials,
            region: "us-east-1",
            service: service,
            clock: { fixedDate }
        )
        .headers(method: request.method, url: request.url, headers: unsigned, body: request.body ?? [])
        #expect(expected.first(named: "authorization") == authorization)
    }

    static func bedrock(
        options: [String: String] = ["region": "us-east-1"],
        credentials: AWSCredentials? = credentials,
        key: String? = nil
    ) -> BedrockAdapter {
        BedrockAdapter(
            endpoint: CallRequestTests.endpoint(
                .bedrock,
                base: "",
                key: key,
                options: options,
                headers: [],
                aws: credentials
            ),
            clock: { fixedDate }
        )
    }

    @Test func bedrockInvokeModelIsSignedOnTheRuntime() throws {
        let model = try ModelPathSegment.encoded("amazon.titan-embed-text-v2:0", provider: "p", allowsSlash: true)
        let call = ProviderCall(method: "POST", path: "/model/\(model)/invoke", body: CallRequestTests.body)
        let request = try Self.bedrock().callRequest(call, timeouts: CallRequestTests.timeouts)
        #expect(
            request.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke"
        )
        #expect(
            request.body == CallRequestTests.body && request.headers.first(named: "x-amz-date") == "20150830T123600Z"
        )
        try Self.expectSigned(request, service: "bedrock", signedHeaders: "accept;content-type;host;x-amz-date")

        // A query is part of the signature too.
        let listed = try Self.bedrock().callRequest(
            .get("/model/\(model)/x", query: [.init("b", "2 3"), .init("a", "1")]),
            timeouts: CallRequestTests.timeouts
        )
        #expect(listed.url.hasSuffix("/x?b=2%203&a=1"))
        try Self.expectSigned(listed, service: "bedrock", signedHeaders: "accept;host;x-amz-date")
    }

    @Test func bedrockKeysMissingCredentialsAndRegion() throws {
        let bearer = try Self.bedrock(credentials: nil, key: "ABSKkey").callRequest(
            .get("/x"),
            timeouts: TransferTimeouts()
        )
        #expect(bearer.headers.first(named: "authorization") == "Bearer ABSKkey")
        for adapter in [Self.bedrock(credentials: nil), Self.bedrock(options: [:])] {
            let error = #expect(throws: RPCError.self) {
                try adapter.callRequest(.get("/x"), timeouts: TransferTimeouts())
            }
            #expect(error?.type == .upstreamAuth)
        }
    }

    static func sagemaker(
        _ options: [String: String] = ["region": "us-east-1", "endpoint_name": "my-endpoint"]
    )
        -> SageMakerAdapter
    {
        SageMakerAdapter(
            endpoint: CallRequestTests.endpoint(
                .sagemaker,
                base: "",
                key: nil,
                options: options,
                headers: [],
                aws: credentials
            ),
            clock: { fixedDate }
        )
    }

    @Test func sageMakerInvocationsAreSignedBelowTheEndpoint() throws {
        let call = ProviderCall(
            method: "POST",
            path: "/invocations",
            headers: [HTTPHeader("X-Amzn-SageMaker-Target-Variant", "blue")],
            body: CallRequestTests.body
        )
        let request = try Self.sagemaker().callRequest(call, timeouts: CallRequestTests.timeouts)
        #expect(request.url == "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/my-endpoint/invocations")
        #expect(request.headers.first(named: "x-amzn-sagemaker-target-variant") == "blue")
        try Self.expectSigned(
            request,
            service: "sagemaker",
            signedHeaders: "accept;content-type;host;x-amz-date;x-amzn-sagemaker-target-variant"
        )
        let error = #expect(throws: RPCError.self) {
            try Self.sagemaker(["region": "us-east-1"]).callRequest(call, timeouts: TransferTimeouts())
        }
        #expect(error?.type == .invalidParams)
    }

    @Test func vertexCallsBelowTheProjectLocationWithAFetchedToken() async throws {
        let tokens = RecordingTokenEndpoint { RecordingTokenEndpoint.token("ya29.call-\($0)") }
        let vertex = VertexAdapter(endpoint: try VertexAdapterTests.endpoint(), post: tokens.post, clock: { Date() })
        let call = ProviderCall(
            method: "POST",
            path:
                "/publishers/google/models/\(try VertexAdapter.modelSegment("text-embedding-005", provider: "vx")):predict",
            body: CallRequestTests.body
        )
        var request = try vertex.callRequest(call, timeouts: CallRequestTests.timeouts)
        #expect(
            request.url
                == "https://europe-west4-aiplatform.googleapis.com/v1/projects/project-x/locations/europe-west4/publishers/google/models/text-embedding-005:predict"
        )
        #expect(request.headers.first(named: "authorization") == nil && request.headers.first(named: "x-extra") == "1")
        try await vertex.authorize(&request)
        #expect(request.headers.first(named: "authorization") == "Bearer ya29.call-1")
        let noProject = VertexAdapter(
            endpoint: try VertexAdapterTests.endpoint(options: [VertexSettings.Key.project: ""]),
            http: nil
        )
        let error = #expect(throws: RPCError.self) {
            try noProject.callRequest(call, timeouts: TransferTimeouts())
        }
        #expect(error?.type == .invalidParams)
    }
}
