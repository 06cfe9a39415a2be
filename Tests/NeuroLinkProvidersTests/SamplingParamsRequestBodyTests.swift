import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// `topP`, `stop` and `seed` in every adapter's request body: their provider's names and places,
/// and nothing at all when they are not set.
@Suite struct SamplingParamsRequestBodyTests {
    /// One adapter (or SageMaker container) and where it puts the three values.
    enum Target: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case openai, openaiCompatible, azure, anthropic, googleAI, vertex, ollama, bedrock, sagemakerOpenAI,
            sagemakerTGI

        var testDescription: String { rawValue }

        /// The object holding the sampling values, as a dotted path; `""` is the top level.
        var container: String {
            switch self {
            case .openai, .openaiCompatible, .azure, .anthropic, .sagemakerOpenAI: ""
            case .googleAI, .vertex: "generationConfig"
            case .ollama: "options"
            case .bedrock: "inferenceConfig"
            case .sagemakerTGI: "parameters"
            }
        }

        /// The provider's names of `topP`, `stop` and `seed`; `nil` where the API has no such field.
        var names: (topP: String, stop: String, seed: String?) {
            switch self {
            case .openai, .openaiCompatible, .azure, .sagemakerOpenAI, .ollama, .sagemakerTGI: ("top_p", "stop", "seed")
            case .anthropic: ("top_p", "stop_sequences", nil)
            case .googleAI, .vertex: ("topP", "stopSequences", "seed")
            case .bedrock: ("topP", "stopSequences", nil)
            }
        }

        func httpRequest(for chat: ChatRequest) throws -> HTTPRequest {
            let timeouts = TransferTimeouts()
            switch self {
            case .openai:
                return try OpenAIAdapter(endpoint: endpoint(.openai, "https://api.openai.com/v1", key: "sk-test"))
                    .httpRequest(for: chat, timeouts: timeouts)
            case .openaiCompatible:
                return try OpenAIAdapter(endpoint: endpoint(.openaiCompatible, "http://127.0.0.1:8000/v1"))
                    .httpRequest(for: chat, timeouts: timeouts)
            case .azure:
                return try AzureOpenAIAdapter(endpoint: endpoint(.azure, "https://res.openai.azure.com", key: "k"))
                    .httpRequest(for: chat, timeouts: timeouts)
            case .anthropic:
                return try AnthropicAdapter(endpoint: endpoint(.anthropic, "https://api.anthropic.com/v1", key: "k"))
                    .httpRequest(for: chat, timeouts: timeouts)
            case .googleAI:
                return try GeminiAdapter(
                    endpoint: endpoint(.googleAI, "https://generativelanguage.googleapis.com/v1beta", key: "k")
                )
                .httpRequest(for: chat, timeouts: timeouts)
            case .vertex:
                return try VertexAdapter(endpoint: try VertexAdapterTests.endpoint(), http: nil)
                    .httpRequest(for: chat, timeouts: timeouts)
            case .ollama:
                return try OllamaAdapter(endpoint: endpoint(.ollama, "http://127.0.0.1:11434"))
                    .httpRequest(for: chat, timeouts: timeouts)
            case .bedrock:
                var bedrock = endpoint(.bedrock, "")
                bedrock.options = ["region": "us-east-1"]
                bedrock.awsCredentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Secret("secret"))
                return try BedrockAdapter(endpoint: bedrock).httpRequest(for: chat, timeouts: timeouts)
            case .sagemakerOpenAI:
                return try SageMakerAdapterTests.adapter().httpRequest(for: chat, timeouts: timeouts)
            case .sagemakerTGI:
                return try SageMakerAdapterTests.adapter([SageMakerSettings.Key.container: "tgi"])
                    .httpRequest(for: chat, timeouts: timeouts)
            }
        }

        private func endpoint(_ type: ProviderType, _ baseURL: String, key: String? = nil) -> ProviderEndpoint {
            ProviderEndpoint(
                name: rawValue,
                type: type,
                baseURL: baseURL,
                apiKey: key.map(Secret.init),
                defaultModel: nil
            )
        }

        /// `field` inside ``container``, as a dotted path.
        func path(_ field: String) -> String { container.isEmpty ? field : "\(container).\(field)" }
    }

    /// Every name any provider gives one of the three.
    static let samplingNames: Set<String> = ["top_p", "topP", "stop", "stop_sequences", "stopSequences", "seed"]

    static let stop = ["END", "\n\nHuman:"]

    static func chat(topP: Double? = nil, stop: [String]? = nil, seed: Int? = nil) -> ChatRequest {
        var chat = ChatRequest(
            messages: [ChatMessage(role: "user", content: "hi")],
            model: "test-model",
            maxTokens: nil,
            temperature: nil
        )
        chat.topP = topP
        chat.stop = stop
        chat.seed = seed
        return chat
    }

    static func body(_ target: Target, _ chat: ChatRequest) throws -> JSONValue {
        let http = try target.httpRequest(for: chat)
        return try JSONDecoder().decode(JSONValue.self, from: Data(try #require(http.body)))
    }

    /// Every member of the body's objects (not inside arrays) named like a sampling value, by dotted path.
    static func samplingFields(_ value: JSONValue, prefix: String = "") -> [String: JSONValue] {
        var found: [String: JSONValue] = [:]
        for (key, member) in value.objectValue ?? [:] {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if samplingNames.contains(key) { found[path] = member }
            found.merge(samplingFields(member, prefix: path)) { first, _ in first }
        }
        return found
    }

    @Test(arguments: Target.allCases)
    func setValuesGoToTheProvidersFields(_ target: Target) throws {
        let body = try Self.body(target, Self.chat(topP: 0.9, stop: Self.stop, seed: 42))
        var expected: [String: JSONValue] = [
            target.path(target.names.topP): .number(0.9),
            target.path(target.names.stop): .array(Self.stop.map(JSONValue.string)),
        ]
        if let seed = target.names.seed { expected[target.path(seed)] = .number(42) }
        #expect(Self.samplingFields(body) == expected)
    }

    @Test(arguments: Target.allCases)
    func unsetValuesAreNotSent(_ target: Target) throws {
        let body = try Self.body(target, Self.chat())
        #expect(Self.samplingFields(body) == [:])
        let text = String(decoding: try #require(try target.httpRequest(for: Self.chat()).body), as: UTF8.self)
        #expect(!text.contains("null"), "\(text)")
    }

    @Test(arguments: Target.allCases)
    func oneStopSequenceIsStillAList(_ target: Target) throws {
        let body = try Self.body(target, Self.chat(stop: ["END"]))
        #expect(Self.samplingFields(body) == [target.path(target.names.stop): .array([.string("END")])])
    }

    @Test(arguments: Target.allCases, [-9_007_199_254_740_991, 0, 9_007_199_254_740_991])
    func seedIsSentExactlyWhereTheProviderHasOne(_ target: Target, _ seed: Int) throws {
        let http = try target.httpRequest(for: Self.chat(seed: seed))
        let text = String(decoding: try #require(http.body), as: UTF8.self)
        let body = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard let name = target.names.seed else {
            #expect(Self.samplingFields(body) == [:])
            return
        }
        #expect(Self.samplingFields(body) == [target.path(name): .number(Double(seed))])
        // As a JSON integer with every digit: not rounded through a Double or written with an exponent.
        #expect(text.contains(#""\#(name)":\#(seed)"#), "\(text)")
    }

    /// A config object that is only sent when something is set now also appears for these values
    /// alone, and holds nothing else; a seed alone makes none where the provider has no seed.
    @Test(arguments: [Target.googleAI, .vertex, .ollama, .bedrock])
    func configObjectHoldsJustTheSamplingValues(_ target: Target) throws {
        let names = target.names
        let cases: [(ChatRequest, JSONValue?)] = [
            (Self.chat(topP: 0.5), .object([names.topP: .number(0.5)])),
            (Self.chat(stop: ["END"]), .object([names.stop: .array([.string("END")])])),
            (Self.chat(seed: 3), names.seed.map { .object([$0: .number(3)]) }),
        ]
        for (chat, expected) in cases {
            #expect(try Self.body(target, chat)[target.container] == expected)
        }
        #expect(try Self.body(target, Self.chat())[target.container] == nil)
    }

    /// TGI refuses a `top_p` of 0 or 1 ("must be strictly between 0 and 1"): those are not sent.
    @Test(arguments: [(0.0, false), (1.0, false), (0.000_001, true), (0.5, true), (0.999_999, true)])
    func tgiSendsTopPOnlyStrictlyBetweenZeroAndOne(_ topP: Double, _ sent: Bool) throws {
        let body = try Self.body(.sagemakerTGI, Self.chat(topP: topP))
        #expect(body["parameters"]?["top_p"] == (sent ? .number(topP) : nil))
        #expect(body["parameters"]?["details"] == .bool(true))
    }

    @Test(arguments: [Target.openai, .anthropic, .googleAI, .ollama, .bedrock])
    func topPOfZeroAndOneAreSentElsewhere(_ target: Target) throws {
        for topP in [0.0, 1.0] {
            #expect(
                Self.samplingFields(try Self.body(target, Self.chat(topP: topP)))
                    == [target.path(target.names.topP): .number(topP)]
            )
        }
    }
}
