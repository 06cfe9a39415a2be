import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

/// Each adapter's model-listing request and the parsing of its provider's listing body.
struct ModelsListingTests {
    private static let timeouts = TransferTimeouts(connect: .seconds(5), total: .seconds(5))

    private func adapter(
        _ type: ProviderType,
        base: String,
        key: String? = "sk-test-0123456789",
        options: [String: String] = [:]
    ) -> any ProviderAdapter {
        ProviderEndpoint(
            name: "p",
            type: type,
            baseURL: base,
            apiKey: key.map(Secret.init),
            defaultModel: nil,
            headers: [HTTPHeader("X-Extra", "1")],
            options: options
        ).makeAdapter()
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func openAIRequestAndParse() throws {
        let openai = adapter(.openai, base: "https://api.openai.com/v1/")
        let request = try #require(openai.modelsRequest(timeouts: Self.timeouts))
        #expect(request.method == "GET")
        #expect(request.url == "https://api.openai.com/v1/models")
        #expect(request.body == nil)
        #expect(request.headers.first(named: "authorization") == "Bearer sk-test-0123456789")
        #expect(request.headers.first(named: "x-extra") == "1")
        #expect(request.timeouts == Self.timeouts)

        let body =
            #"{"object":"list","data":[{"id":"gpt-4o","object":"model","owned_by":"system"},{"id":"ft:x","object":"model"}]}"#
        let models = try openai.parseModels(bytes(body))
        #expect(
            models == [ModelInfo(provider: "p", id: "gpt-4o", ownedBy: "system"), ModelInfo(provider: "p", id: "ft:x")]
        )
    }

    @Test func openAICompatibleWithoutKeySendsNoAuthorization() throws {
        let local = adapter(.openaiCompatible, base: "http://127.0.0.1:8080/v1", key: nil)
        let request = try #require(local.modelsRequest(timeouts: Self.timeouts))
        #expect(request.url == "http://127.0.0.1:8080/v1/models")
        #expect(request.headers.first(named: "authorization") == nil)
    }

    @Test func azureListsBaseModelsWithApiKeyHeader() throws {
        let azure = adapter(.azure, base: "https://r.openai.azure.com", options: ["api_version": "2024-06-01"])
        let request = try #require(azure.modelsRequest(timeouts: Self.timeouts))
        #expect(request.url == "https://r.openai.azure.com/openai/models?api-version=2024-06-01")
        #expect(request.headers.first(named: "api-key") == "sk-test-0123456789")
        #expect(request.headers.first(named: "authorization") == nil)
        let defaulted = try #require(
            adapter(.azure, base: "https://r.openai.azure.com").modelsRequest(timeouts: Self.timeouts)
        )
        #expect(defaulted.url.hasSuffix("api-version=\(AzureOpenAIAdapter.defaultAPIVersion)"))
        let models = try azure.parseModels(
            bytes(#"{"data":[{"id":"gpt-4o-2024-08-06","status":"succeeded"}],"object":"list"}"#)
        )
        #expect(models.map(\.id) == ["gpt-4o-2024-08-06"])
    }

    @Test func anthropicRequestAndParse() throws {
        let anthropic = adapter(.anthropic, base: "https://api.anthropic.com/v1")
        let request = try #require(anthropic.modelsRequest(timeouts: Self.timeouts))
        #expect(request.method == "GET")
        #expect(request.url == "https://api.anthropic.com/v1/models?limit=1000")
        #expect(request.headers.first(named: "x-api-key") == "sk-test-0123456789")
        #expect(request.headers.first(named: "anthropic-version") == AnthropicAdapter.defaultAPIVersion)
        #expect(request.headers.first(named: "authorization") == nil)

        let body =
            #"{"data":[{"type":"model","id":"claude-sonnet-4-20250514","display_name":"Claude Sonnet 4","created_at":"2025-05-22T00:00:00Z"}],"has_more":false,"first_id":"a","last_id":"b"}"#
        #expect(
            try anthropic.parseModels(bytes(body))
                == [ModelInfo(provider: "p", id: "claude-sonnet-4-20250514", displayName: "Claude Sonnet 4")]
        )
    }

    @Test func geminiStripsThePrefixAndSkipsModelsThatCannotGenerate() throws {
        let gemini = adapter(.googleAI, base: "https://generativelanguage.googleapis.com/v1beta")
        let request = try #require(gemini.modelsRequest(timeouts: Self.timeouts))
        #expect(request.url == "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000")
        #expect(request.headers.first(named: "x-goog-api-key") == "sk-test-0123456789")
        #expect(!request.url.contains("key="), "the key must travel in a header, never in the URL")

        let body = #"""
            {"models":[
              {"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens"]},
              {"name":"models/text-embedding-004","supportedGenerationMethods":["embedContent"]},
              {"name":"tunedModels/mine"}
            ],"nextPageToken":"x"}
            """#
        let models = try gemini.parseModels(bytes(body))
        #expect(
            models == [
                ModelInfo(provider: "p", id: "gemini-2.5-flash", displayName: "Gemini 2.5 Flash"),
                ModelInfo(provider: "p", id: "tunedModels/mine"),
            ]
        )
        #expect(try gemini.parseModels(bytes("{}")).isEmpty, "a key with access to no model gets {}")
    }

    @Test func ollamaRequestAndParse() throws {
        let ollama = adapter(.ollama, base: "http://127.0.0.1:11434", key: nil)
        let request = try #require(ollama.modelsRequest(timeouts: Self.timeouts))
        #expect(request.url == "http://127.0.0.1:11434/api/tags")
        #expect(request.headers.first(named: "authorization") == nil)
        let body =
            #"{"models":[{"name":"qwen3:8b","model":"qwen3:8b","size":5225376047,"details":{"family":"qwen3"}},{"name":"llama3.2:latest"}]}"#
        #expect(try ollama.parseModels(bytes(body)).map(\.id) == ["qwen3:8b", "llama3.2:latest"])
        #expect(try ollama.parseModels(bytes(#"{"models":[]}"#)).isEmpty)
    }

    @Test(arguments: [ProviderType.openai, .azure, .anthropic, .googleAI, .ollama])
    func malformedBodiesAreBadResponses(type: ProviderType) throws {
        let listing = adapter(type, base: "https://example.com/v1")
        for body in ["", "not json", #"{"data":"nope","models":7}"#, "[]"] {
            do {
                let models = try listing.parseModels(bytes(body))
                // `{}`-like bodies are an empty list for providers that answer so with no models.
                #expect(body.hasPrefix("{") && models.isEmpty && type != .openai, "\(type): \(body) → \(models)")
            } catch {
                #expect(error.type == .upstreamBadResponse, "\(type): \(body)")
                #expect(error.data.provider == "p")
            }
        }
    }

    /// An adapter that implements only the streaming requirements, as one written before listings existed.
    private struct StreamOnlyAdapter: ProviderAdapter {
        let endpoint = ProviderEndpoint(
            name: "s",
            type: .openaiCompatible,
            baseURL: "http://x",
            apiKey: nil,
            defaultModel: nil
        )
        func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
            HTTPRequest(url: endpoint.baseURL)
        }
        func makeDecoder() -> any ProviderStreamDecoder { OpenAIStreamDecoder(provider: "s") }
        func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError { RPCError(.upstreamError, "x") }
    }

    @Test func adaptersWithoutAListingEndpointDefaultToUnsupported() throws {
        let adapter: any ProviderAdapter = StreamOnlyAdapter()
        #expect(adapter.modelsRequest(timeouts: Self.timeouts) == nil)
        #expect(try adapter.parseModels(bytes(#"{"data":[{"id":"x"}]}"#)).isEmpty)
    }
}
