import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// Every adapter's embedding endpoint: the call it builds (path and exact body) and how it reads
/// the provider's answer, in each provider's documented wire format.
@Suite struct EmbeddingCallTests {
    static func adapter(_ type: ProviderType, base: String) -> any ProviderAdapter {
        CallRequestTests.endpoint(type, base: base).makeAdapter()
    }

    /// The call's body and `expected` as JSON values: key order and escaping aside, the same.
    static func sends(_ call: ProviderCall, _ expected: String) -> Bool {
        let decoder = JSONDecoder()
        let sent = try? decoder.decode(JSONValue.self, from: Data(call.body ?? []))
        return sent != nil && sent == (try? decoder.decode(JSONValue.self, from: Data(expected.utf8)))
    }
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func openAIAndCompatibleServersPostToEmbeddings() throws {
        for type in [ProviderType.openai, .openaiCompatible] {
            let adapter = Self.adapter(type, base: "http://h/v1")
            let call = try adapter.embeddingCall(["a b", "c"], model: "text-embedding-3-small")
            #expect(call.method == "POST" && call.path == "/embeddings")
            #expect(
                Self.sends(call, #"{"encoding_format":"float","input":["a b","c"],"model":"text-embedding-3-small"}"#)
            )
            // Out of order on the wire: `index` says where each vector belongs.
            let answer =
                #"{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0,1]},"#
                + #"{"object":"embedding","index":0,"embedding":[0.5,-0.5]}],"model":"m","usage":{"prompt_tokens":7,"total_tokens":7}}"#
            let result = try adapter.parseEmbeddings(Self.bytes(answer), count: 2)
            #expect(result == EmbeddingResult(vectors: [[0.5, -0.5], [0, 1]], inputTokens: 7))
        }
    }

    @Test func azureNamesTheEmbeddingDeploymentInThePath() throws {
        let adapter = Self.adapter(.azure, base: "https://r.openai.azure.com")
        let call = try adapter.embeddingCall(["hi"], model: "embed-large")
        #expect(call.path == "/openai/deployments/embed-large/embeddings")
        #expect(Self.sends(call, #"{"encoding_format":"float","input":["hi"]}"#))
        let request = try adapter.callRequest(call, timeouts: TransferTimeouts())
        #expect(request.url.hasSuffix("/openai/deployments/embed-large/embeddings?api-version=2024-10-21"))
        #expect(throws: RPCError.self) { try adapter.embeddingCall(["hi"], model: "../chat") }
    }

    @Test func ollamaPostsToApiEmbed() throws {
        let adapter = Self.adapter(.ollama, base: "http://127.0.0.1:11434")
        let call = try adapter.embeddingCall(["why is the sky blue?"], model: "all-minilm")
        #expect(
            call.path == "/api/embed" && Self.sends(call, #"{"input":["why is the sky blue?"],"model":"all-minilm"}"#)
        )
        let answer =
            #"{"model":"all-minilm","embeddings":[[0.010071029,-0.0017594862,0.05007221]],"total_duration":14143917,"prompt_eval_count":8}"#
        let result = try adapter.parseEmbeddings(Self.bytes(answer), count: 1)
        #expect(result.vectors == [[0.010071029, -0.0017594862, 0.05007221]] && result.inputTokens == 8)
    }

    @Test func geminiEmbedsOneTextWithEmbedContentAndSeveralInABatch() throws {
        let adapter = Self.adapter(.googleAI, base: "https://generativelanguage.googleapis.com/v1beta")
        let one = try adapter.embeddingCall(["What is the meaning of life?"], model: "models/text-embedding-004")
        #expect(one.path == "/models/text-embedding-004:embedContent")
        #expect(Self.sends(one, #"{"content":{"parts":[{"text":"What is the meaning of life?"}]}}"#))
        let single = try adapter.parseEmbeddings(Self.bytes(#"{"embedding":{"values":[0.1,-0.2,0.3]}}"#), count: 1)
        #expect(single.vectors == [[0.1, -0.2, 0.3]] && single.inputTokens == nil)

        let two = try adapter.embeddingCall(["a", "b"], model: "gemini-embedding-001")
        #expect(two.path == "/models/gemini-embedding-001:batchEmbedContents")
        #expect(
            Self.sends(
                two,
                #"{"requests":[{"content":{"parts":[{"text":"a"}]},"model":"models\/gemini-embedding-001"},{"content":{"parts":[{"text":"b"}]},"model":"models/gemini-embedding-001"}]}"#
            )
        )
        let batch = #"{"embeddings":[{"values":[1,0]},{"values":[0,1]}]}"#
        #expect(try adapter.parseEmbeddings(Self.bytes(batch), count: 2).vectors == [[1, 0], [0, 1]])
    }

    @Test func vertexPredictsWithInstances() throws {
        let adapter = VertexAdapter(endpoint: try VertexAdapterTests.endpoint(), http: nil)
        let call = try adapter.embeddingCall(["banana"], model: "text-embedding-005")
        #expect(call.path == "/publishers/google/models/text-embedding-005:predict")
        #expect(Self.sends(call, #"{"instances":[{"content":"banana"}]}"#))
        let answer =
            #"{"predictions":[{"embeddings":{"statistics":{"truncated":false,"token_count":2},"values":[0.25,0.5]}}]}"#
        #expect(
            try adapter.parseEmbeddings(Self.bytes(answer), count: 1)
                == EmbeddingResult(vectors: [[0.25, 0.5]], inputTokens: 2)
        )
        #expect(adapter.embeddingBatchLimit == 1)
    }

    @Test func bedrockInvokesTitanWithOneTextPerCall() throws {
        let adapter = SignedCallRequestTests.bedrock()
        let call = try adapter.embeddingCall(["hello"], model: "amazon.titan-embed-text-v2:0")
        #expect(
            call.path == "/model/amazon.titan-embed-text-v2%3A0/invoke" && Self.sends(call, #"{"inputText":"hello"}"#)
        )
        let request = try adapter.callRequest(call, timeouts: CallRequestTests.timeouts)
        #expect(
            request.url == "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke"
        )
        let answer = #"{"embedding":[0.125,-0.25],"embeddingsByType":{"float":[0.125,-0.25]},"inputTextTokenCount":3}"#
        #expect(
            try adapter.parseEmbeddings(Self.bytes(answer), count: 1)
                == EmbeddingResult(vectors: [[0.125, -0.25]], inputTokens: 3)
        )
        #expect(throws: RPCError.self) { try adapter.embeddingCall(["a", "b"], model: "amazon.titan-embed-text-v2:0") }
        #expect(throws: RPCError.self) { try adapter.embeddingCall(["a"], model: "") }
    }

    @Test func providersWithoutAnEmbeddingEndpointSaySo() {
        for type in ProviderType.allCases where !type.hasEmbeddings {
            let adapter = Self.adapter(type, base: "http://h")
            let error = #expect(throws: RPCError.self) { try adapter.embeddingCall(["a"], model: "m") }
            #expect(error?.type == .invalidParams && error?.message.contains("no embedding endpoint") == true)
        }
        #expect(ProviderType.allCases.filter(\.hasEmbeddings).count == 7)
    }

    @Test(arguments: [
        (#"not json"#, "not in the expected format"),
        (#"{"data":[]}"#, "has 0 vectors for 1 texts"),
        (#"{"data":[{"embedding":[]}]}"#, "of 0 dimensions"),
        (#"{"data":[{"embedding":[1]},{"embedding":[1,2]}]}"#, "has 2 vectors for 1 texts"),
        (#"{"data":[{"embedding":[1e39]}]}"#, "not in the expected format"),
    ])
    func malformedAnswersAreTheProvidersFault(body: String, detail: String) {
        let adapter = Self.adapter(.openai, base: "http://h")
        let error = #expect(throws: RPCError.self) { try adapter.parseEmbeddings(Self.bytes(body), count: 1) }
        #expect(error?.type == .upstreamBadResponse && error?.data.provider == "p")
        #expect(error?.message.contains(detail) == true, "\(String(describing: error?.message))")
    }

    @Test func vectorsOfDifferentLengthsOrTooManyDimensionsAreRefused() {
        let adapter = Self.adapter(.ollama, base: "http://h")
        let mixed = #"{"embeddings":[[1,2],[1]]}"#
        let error = #expect(throws: RPCError.self) { try adapter.parseEmbeddings(Self.bytes(mixed), count: 2) }
        #expect(error?.message.contains("different lengths") == true)
        let huge =
            "{\"embeddings\":[["
            + Array(repeating: "0", count: EmbeddingResult.maxDimensions + 1).joined(separator: ",") + "]]}"
        #expect(throws: RPCError.self) { try adapter.parseEmbeddings(Self.bytes(huge), count: 1) }
    }
}
