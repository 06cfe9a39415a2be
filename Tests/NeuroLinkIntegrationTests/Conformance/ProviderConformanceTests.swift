import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The same scenarios through every provider type: whatever the wire format, clients see the same
/// normalised chunks.
@Suite struct ProviderConformanceTests {
    static let renderers: [any WireRenderer] = [
        OpenAIRenderer(), AzureRenderer(), AnthropicRenderer(), GeminiRenderer(), OllamaRenderer(), BedrockRenderer(),
        VertexRenderer(), SageMakerRenderer(container: "openai"), SageMakerRenderer(container: "tgi"),
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var script: WireScript
        /// Size of the pieces the body is cut into (through frames and UTF-8 sequences).
        var splitEvery: Int
        var testDescription: String { name }
    }

    static let weather = WireScript.ToolCallScript(
        id: "call_1",
        name: "get_weather",
        fragments: ["", "{\"ci", "ty\": \"Pa", "ris\", \"unit\"", ": \"c\"}"]
    )
    static let cases: [Case] = [
        Case(name: "plain text", script: WireScript(pieces: ["Hello", ", ", "world", "!"]), splitEvery: 4096),
        Case(name: "long text", script: WireScript(pieces: (0..<300).map { "word\($0) " }), splitEvery: 4096),
        Case(
            name: "unicode split across reads",
            script: WireScript(pieces: ["héllo ", "👋🏽 ", "世界", " ünïcødé"]),
            splitEvery: 3
        ),
        Case(
            name: "tool call with streamed arguments",
            script: WireScript(pieces: ["Let me check."], toolCall: weather, finish: "tool_calls"),
            splitEvery: 7
        ),
        Case(
            name: "max tokens cut-off",
            script: WireScript(pieces: ["This answer is cut"], finish: "length"),
            splitEvery: 4096
        ),
    ]

    static var arguments: [(any WireRenderer, Case)] {
        renderers.flatMap { renderer in
            cases.filter { $0.script.toolCall == nil || supportsToolCalls(renderer) }.map { (renderer, $0) }
        }
    }

    /// Every format but TGI's token stream has tool calls.
    static func supportsToolCalls(_ renderer: any WireRenderer) -> Bool {
        (renderer as? SageMakerRenderer)?.supportsToolCalls ?? true
    }

    struct Observed: Equatable {
        var text = ""
        var toolCalls: [String] = []
        var finish: FinishReason?
        var usage: Usage?
    }

    static func config(_ renderer: any WireRenderer, upstream: LoopbackUpstream) -> String {
        // The loopback answers any path: each type's base URL is shaped like the real one.
        let host = "http://127.0.0.1:\(upstream.port)"
        let base =
            switch renderer.providerType {
            case "openai-compatible", "anthropic": upstream.baseURL
            case "google-ai": host + "/v1beta"
            default: host
            }
        return """
            providers:
              - name: p
                type: \(renderer.providerType)
                base_url: \(base)
                default_model: m
            \(renderer.extraConfig)
            """
    }

    static let tools = [
        ToolDefinition(
            name: "get_weather",
            description: "Weather in a city",
            parameters: .object([
                "type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])]),
            ])
        )
    ]

    @Test(arguments: arguments)
    func sameNormalisedChunks(_ renderer: any WireRenderer, _ testCase: Case) async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(
                .raw(
                    pieces: split(renderer.renderBytes(testCase.script, model: "m"), every: testCase.splitEvery),
                    delay: .zero
                )
            )
            let observed = try await DaemonProcess.with(
                config: Self.config(renderer, upstream: upstream),
                environment: renderer.environment.merging(["TEST_AZURE_KEY": "azure-key"]) { $1 }
            ) { daemon in
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    var observed = Observed()
                    let request = StreamRequest(prompt: "hi", tools: testCase.script.toolCall == nil ? nil : Self.tools)
                    for try await chunk in client.stream(request) {
                        switch chunk.type {
                        case .text: observed.text += chunk.content ?? ""
                        case .toolCall:
                            if let call = chunk.toolCall {
                                observed.toolCalls.append("\(call.name) \(canonical(call.arguments))")
                            }
                        case .finish:
                            observed.finish = chunk.finishReason
                            observed.usage = chunk.usage.map {
                                Usage(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)
                            }
                        default: break
                        }
                    }
                    return observed
                }
            }
            let script = testCase.script
            let expected = Observed(
                text: script.pieces.joined(),
                toolCalls: script.toolCall.map { call in
                    [
                        "\(call.name) \(canonical((try? JSONDecoder().decode(JSONValue.self, from: Data(call.arguments.utf8))) ?? .null))"
                    ]
                } ?? [],
                finish: FinishReason(rawValue: script.finish),
                usage: Usage(inputTokens: script.usage.input, outputTokens: script.usage.output)
            )
            #expect(observed == expected, "\(renderer.providerType): \(testCase.name)")
            (renderer as? any RecordedRequestChecking)?.check(upstream.requests(), port: upstream.port)
        }
    }

    @Test(arguments: renderers.map { $0 as any WireRenderer })
    func inStreamErrorAndDroppedConnectionAreRetryableUpstreamErrors(_ renderer: any WireRenderer) async throws {
        try await LoopbackUpstream.with { upstream in
            let whole = renderer.renderBytes(WireScript(pieces: ["a", "b", "c"]), model: "m")
            upstream.register(model: "m", .rawThenDrop(pieces: [Array(whole.prefix(whole.count / 2))], delay: .zero))
            try await DaemonProcess.with(
                config: Self.config(renderer, upstream: upstream),
                environment: renderer.environment.merging(["TEST_AZURE_KEY": "k"]) { $1 }
            ) { daemon in
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    do {
                        for try await _ in client.stream(StreamRequest(prompt: "hi")) {}
                        Issue.record("\(renderer.providerType): a dropped stream must fail")
                    } catch let error as RPCError {
                        #expect(error.type == .upstreamError && error.retryable, "\(renderer.providerType): \(error)")
                    }
                }
            }
        }
    }
}

/// Renderers whose loopback request can be checked after the fact: credentials, signatures, paths.
protocol RecordedRequestChecking {
    /// Records an issue for anything wrong with the requests the upstream at `port` received.
    func check(_ requests: [RecordedRequest], port: Int)
}

/// JSON text with sorted keys, so argument objects compare independent of key order.
func canonical(_ value: JSONValue) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
}
