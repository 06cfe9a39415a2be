import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// `schema` through the daemon: `object` chunks grow as the answer streams, and the result carries
/// the validated object or says why it does not conform.
@Suite struct StructuredOutputTests {
    static let schema: JSONValue = .object([
        "type": .string("object"), "required": .array([.string("name"), .string("age")]),
        "properties": .object([
            "name": .object(["type": .string("string")]), "age": .object(["type": .string("integer")]),
        ]),
    ])

    struct Case: Sendable, CustomTestStringConvertible {
        var renderer: any WireRenderer
        var pieces: [String]
        var valid: Bool
        var testDescription: String { "\(renderer.providerType) \(valid ? "valid" : "invalid")" }
    }

    static let good = ["{\"na", "me\": \"Ad", "a\", \"age\"", ": 3", "6}"]
    static let bad = ["{\"name\": \"Ada\", ", "\"age\": \"old\"}"]
    static let cases = [
        OpenAIRenderer() as any WireRenderer, AnthropicRenderer(), GeminiRenderer(), OllamaRenderer(),
        BedrockRenderer(),
    ].flatMap {
        [Case(renderer: $0, pieces: good, valid: true), Case(renderer: $0, pieces: bad, valid: false)]
    }

    @Test(arguments: cases)
    func objectChunksAndValidatedResult(_ testCase: Case) async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(
                .raw(
                    pieces: split(
                        testCase.renderer.renderBytes(WireScript(pieces: testCase.pieces), model: "m"),
                        every: 64
                    ),
                    delay: .zero
                )
            )
            try await DaemonProcess.with(
                config: ProviderConformanceTests.config(testCase.renderer, upstream: upstream),
                environment: testCase.renderer.environment.merging(["TEST_AZURE_KEY": "k"]) { $1 }
            ) { daemon in
                try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    var objects: [JSONValue] = []
                    var result: StreamResult?
                    for try await event in client.streamEvents(StreamRequest(prompt: "Who?", schema: Self.schema)) {
                        switch event {
                        case .chunk(let chunk) where chunk.type == .object: objects.append(try #require(chunk.object))
                        case .result(let final): result = final
                        default: break
                        }
                    }
                    let final = try #require(result)
                    #expect(!objects.isEmpty)
                    #expect(objects.last == final.object)
                    if testCase.valid {
                        #expect(final.object == .object(["name": .string("Ada"), "age": .number(36)]))
                        #expect(final.objectError == nil)
                    } else {
                        #expect(final.objectError?.contains("/age") == true, "\(final.objectError ?? "nil")")
                    }
                }
            }
            // The schema reached the provider in its native form (or as an instruction for Anthropic).
            let body = String(decoding: try #require(upstream.requests().first).body, as: UTF8.self)
            let marker = [
                "openai-compatible": "json_schema", "anthropic": "JSON", "google-ai": "responseJsonSchema",
                "ollama": "\"format\"", "bedrock": "JSON",
            ]
            #expect(body.contains(marker[testCase.renderer.providerType] ?? "?"), "\(body)")
        }
    }

    /// Anthropic with a model documented for JSON outputs and a schema inside the documented subset:
    /// the loopback receives `output_config.format`, not the instruction; `structured_output:
    /// instruction` switches back.
    @Test(arguments: [nil, "instruction"] as [String?])
    func anthropicNativeOutputConfigReachesTheUpstream(_ mode: String?) async throws {
        var members = Self.schema.objectValue ?? [:]
        members["additionalProperties"] = .bool(false)
        let strict = JSONValue.object(members)
        try await LoopbackUpstream.with { upstream in
            let renderer = AnthropicRenderer()
            upstream.setDefault(
                .raw(
                    pieces: split(
                        renderer.renderBytes(WireScript(pieces: Self.good), model: "claude-sonnet-4-5"),
                        every: 64
                    ),
                    delay: .zero
                )
            )
            let config = """
                providers:
                  - name: claude
                    type: anthropic
                    base_url: \(upstream.baseURL)
                    default_model: claude-sonnet-4-5
                    api_key_env: TEST_KEY
                \(mode.map { "    structured_output: \($0)" } ?? "")
                """
            try await DaemonProcess.with(config: config, environment: ["TEST_KEY": "k"]) { daemon in
                let result = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) { client in
                    try await client.generate(StreamRequest(prompt: "Who?", schema: strict))
                }
                #expect(result.object == .object(["name": .string("Ada"), "age": .number(36)]))
            }
            let request = try #require(upstream.requests().first)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            let format = (body["output_config"] as? [String: Any])?["format"] as? [String: Any]
            if mode == nil {
                #expect(format?["type"] as? String == "json_schema", "\(body)")
                #expect((format?["schema"] as? [String: Any])?["additionalProperties"] as? Bool == false)
                #expect(body["system"] == nil, "no instruction when the API enforces the schema: \(body)")
            } else {
                #expect(format == nil, "\(body)")
                #expect((body["system"] as? String)?.contains("JSON Schema") == true)
            }
        }
    }
}
