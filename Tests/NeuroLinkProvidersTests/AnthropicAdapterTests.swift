import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

/// An Anthropic endpoint; its `type` is irrelevant to the adapter, which is chosen explicitly.
private func endpoint(
    baseURL: String = "https://api.anthropic.com/v1",
    key: String? = "sk-ant-test-123456",
    headers: [HTTPHeader] = [],
    options: [String: String] = [:]
) -> ProviderEndpoint {
    ProviderEndpoint(
        name: "claude",
        type: .openai,
        baseURL: baseURL,
        apiKey: key.map(Secret.init),
        defaultModel: nil,
        headers: headers,
        options: options
    )
}

private let timeouts = TransferTimeouts(connect: .seconds(1), total: .seconds(9))

private func httpRequest(
    _ chat: ChatRequest,
    _ endpoint: ProviderEndpoint = endpoint()
) throws -> (HTTPRequest, [String: Any]) {
    let http = try AnthropicAdapter(endpoint: endpoint).httpRequest(for: chat, timeouts: timeouts)
    let body = try #require(http.body)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    return (http, json)
}

/// The body's JSON re-encoded with sorted keys, for exact comparisons of nested structures.
private func canonical(_ value: Any?) throws -> String {
    let value = try #require(value)
    let data = try JSONSerialization.data(
        withJSONObject: value,
        options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]
    )
    return String(decoding: data, as: UTF8.self)
}

private func chat(
    _ messages: [ChatMessage],
    maxTokens: Int? = 256,
    temperature: Double? = nil,
    tools: [ToolDefinition]? = nil,
    toolChoice: ToolChoice? = nil,
    schema: JSONValue? = nil
) -> ChatRequest {
    ChatRequest(
        messages: messages,
        model: "claude-sonnet-4-5",
        maxTokens: maxTokens,
        temperature: temperature,
        tools: tools,
        toolChoice: toolChoice,
        schema: schema
    )
}

private let hello = [ChatMessage(role: "user", content: "héllo")]
private let weatherTool = ToolDefinition(
    name: "get_weather",
    description: "Current weather",
    parameters: .object([
        "type": .string("object"),
        "properties": .object(["city": .object(["type": .string("string")])]),
    ])
)

@Suite struct AnthropicRequestTests {
    @Test(arguments: [
        ("https://api.anthropic.com/v1", "https://api.anthropic.com/v1/messages"),
        ("https://api.anthropic.com/v1/", "https://api.anthropic.com/v1/messages"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/messages"),
    ])
    func urlIsBasePlusMessages(_ base: String, _ expected: String) throws {
        let (http, _) = try httpRequest(chat(hello), endpoint(baseURL: base))
        #expect(http.method == "POST")
        #expect(http.url == expected)
        #expect(http.timeouts == timeouts)
    }

    @Test func headersWithKey() throws {
        let (http, _) = try httpRequest(chat(hello))
        #expect(http.headers.first(named: "x-api-key") == "sk-ant-test-123456")
        #expect(http.headers.first(named: "anthropic-version") == "2023-06-01")
        #expect(http.headers.first(named: "content-type") == "application/json")
        #expect(http.headers.first(named: "accept") == "text/event-stream")
        #expect(http.headers.first(named: "authorization") == nil)
    }

    @Test func noKeyHeaderWithoutKey() throws {
        let (http, _) = try httpRequest(chat(hello), endpoint(key: nil))
        #expect(http.headers.filter { $0.name.lowercased() == "x-api-key" }.isEmpty)
        #expect(http.headers.first(named: "anthropic-version") == "2023-06-01")
    }

    @Test func apiVersionFromOptions() throws {
        let (http, _) = try httpRequest(chat(hello), endpoint(options: ["anthropic_version": "2024-01-01"]))
        #expect(http.headers.filter { $0.name.lowercased() == "anthropic-version" }.map(\.value) == ["2024-01-01"])
    }

    @Test func configuredHeadersAreAddedAndReplaceBuiltInOnes() throws {
        let extra = [
            HTTPHeader("anthropic-beta", "interleaved-thinking-2025-05-14"),
            HTTPHeader("Anthropic-Version", "2099-01-01"),
        ]
        let (http, _) = try httpRequest(chat(hello), endpoint(headers: extra))
        #expect(http.headers.first(named: "anthropic-beta") == "interleaved-thinking-2025-05-14")
        #expect(http.headers.filter { $0.name.lowercased() == "anthropic-version" }.map(\.value) == ["2099-01-01"])
    }

    @Test func basicFields() throws {
        let (_, json) = try httpRequest(chat(hello, temperature: 0.25))
        #expect(json["model"] as? String == "claude-sonnet-4-5")
        #expect(json["stream"] as? Bool == true)
        #expect(json["max_tokens"] as? Int == 256)
        #expect(json["temperature"] as? Double == 0.25)
        #expect(json["system"] == nil)
        #expect(json["tools"] == nil && json["tool_choice"] == nil)
        #expect(try canonical(json["messages"]) == #"[{"content":[{"text":"héllo","type":"text"}],"role":"user"}]"#)
    }

    @Test(arguments: [
        ([String: String](), 4096),
        (["default_max_tokens": "1000"], 1000),
        (["default_max_tokens": " 2048 "], 2048),
        (["default_max_tokens": "lots"], 4096),
        (["default_max_tokens": "0"], 4096),
    ])
    func maxTokensDefault(_ options: [String: String], _ expected: Int) throws {
        let (_, json) = try httpRequest(chat(hello, maxTokens: nil), endpoint(options: options))
        #expect(json["max_tokens"] as? Int == expected)
    }

    @Test func requestMaxTokensWinsOverDefault() throws {
        let (_, json) = try httpRequest(chat(hello, maxTokens: 77), endpoint(options: ["default_max_tokens": "1000"]))
        #expect(json["max_tokens"] as? Int == 77)
    }

    @Test func systemMessagesAreExtractedAndJoined() throws {
        let messages = [
            ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi"),
            ChatMessage(role: "system", content: "Answer in French."), ChatMessage(role: "user", content: "Again"),
        ]
        let (_, json) = try httpRequest(chat(messages))
        #expect(json["system"] as? String == "Be brief.\n\nAnswer in French.")
        #expect(
            try canonical(json["messages"])
                == #"[{"content":[{"text":"Hi","type":"text"},{"text":"Again","type":"text"}],"role":"user"}]"#
        )
    }

    @Test func toolConversationIsMappedAndMerged() throws {
        let messages = [
            ChatMessage(role: "system", content: "sys"),
            ChatMessage(role: "user", content: "Weather in Paris and Rome?"),
            ChatMessage(
                role: "assistant",
                content: "Checking.",
                toolCalls: [
                    ToolCall(id: "toolu_1", name: "get_weather", arguments: .object(["city": .string("Paris")])),
                    ToolCall(id: "toolu_2", name: "get_weather", arguments: .object(["city": .string("Rome")])),
                ]
            ),
            ChatMessage(role: "tool", content: "18°C", toolCallId: "toolu_1"),
            ChatMessage(role: "tool", content: "24°C", toolCallId: "toolu_2"),
            ChatMessage(role: "user", content: "And tomorrow?"),
            ChatMessage(
                role: "assistant",
                content: "",
                toolCalls: [ToolCall(id: "toolu_3", name: "get_weather", arguments: .object([:]))]
            ),
            ChatMessage(role: "tool", content: "", toolCallId: "toolu_3"),
        ]
        let (_, json) = try httpRequest(chat(messages, tools: [weatherTool]))
        #expect(json["system"] as? String == "sys")
        let expected = """
            [{"content":[{"text":"Weather in Paris and Rome?","type":"text"}],"role":"user"},\
            {"content":[{"text":"Checking.","type":"text"},\
            {"id":"toolu_1","input":{"city":"Paris"},"name":"get_weather","type":"tool_use"},\
            {"id":"toolu_2","input":{"city":"Rome"},"name":"get_weather","type":"tool_use"}],"role":"assistant"},\
            {"content":[{"content":"18°C","tool_use_id":"toolu_1","type":"tool_result"},\
            {"content":"24°C","tool_use_id":"toolu_2","type":"tool_result"},\
            {"text":"And tomorrow?","type":"text"}],"role":"user"},\
            {"content":[{"id":"toolu_3","input":{},"name":"get_weather","type":"tool_use"}],"role":"assistant"},\
            {"content":[{"tool_use_id":"toolu_3","type":"tool_result"}],"role":"user"}]
            """
        #expect(try canonical(json["messages"]) == expected)
    }

    @Test func consecutiveSameRoleMessagesAreMergedAndEmptyOnesDropped() throws {
        let messages = [
            ChatMessage(role: "user", content: "one"), ChatMessage(role: "user", content: ""),
            ChatMessage(role: "user", content: "two"),
            ChatMessage(role: "assistant", content: "a"), ChatMessage(role: "assistant", content: "b"),
            ChatMessage(role: "user", content: "three"),
        ]
        let (_, json) = try httpRequest(chat(messages))
        let expected = """
            [{"content":[{"text":"one","type":"text"},{"text":"two","type":"text"}],"role":"user"},\
            {"content":[{"text":"a","type":"text"},{"text":"b","type":"text"}],"role":"assistant"},\
            {"content":[{"text":"three","type":"text"}],"role":"user"}]
            """
        #expect(try canonical(json["messages"]) == expected)
    }

    @Test func toolResultsComeFirstInAMergedUserMessage() throws {
        let messages = [
            ChatMessage(
                role: "assistant",
                content: "",
                toolCalls: [ToolCall(id: "t1", name: "f", arguments: .object([:]))]
            ),
            ChatMessage(role: "user", content: "note"), ChatMessage(role: "tool", content: "done", toolCallId: "t1"),
        ]
        let (_, json) = try httpRequest(chat(messages))
        #expect(
            try canonical(json["messages"]).hasSuffix(
                #"{"content":[{"content":"done","tool_use_id":"t1","type":"tool_result"},{"text":"note","type":"text"}],"role":"user"}]"#
            )
        )
    }

    @Test func toolMessageWithoutIdIsRejected() {
        let messages = [ChatMessage(role: "user", content: "x"), ChatMessage(role: "tool", content: "result")]
        let error = #expect(throws: RPCError.self) {
            try AnthropicAdapter(endpoint: endpoint()).httpRequest(for: chat(messages), timeouts: timeouts)
        }
        #expect(error?.type == .invalidParams)
    }

    @Test func toolsAreMapped() throws {
        let (_, json) = try httpRequest(chat(hello, tools: [weatherTool, ToolDefinition(name: "now")]))
        let expected = """
            [{"description":"Current weather","input_schema":{"properties":{"city":{"type":"string"}},"type":"object"},"name":"get_weather"},\
            {"input_schema":{"properties":{},"type":"object"},"name":"now"}]
            """
        #expect(try canonical(json["tools"]) == expected)
        #expect(json["tool_choice"] == nil)
    }

    @Test(arguments: [
        (ToolChoice.auto, #"{"type":"auto"}"#),
        (.required, #"{"type":"any"}"#),
        (.none, #"{"type":"none"}"#),
        (.tool("get_weather"), #"{"name":"get_weather","type":"tool"}"#),
    ])
    func toolChoiceForms(_ choice: ToolChoice, _ expected: String) throws {
        let (_, json) = try httpRequest(chat(hello, tools: [weatherTool], toolChoice: choice))
        #expect(try canonical(json["tool_choice"]) == expected)
    }

    @Test(arguments: [[ToolDefinition]?.none, []])
    func toolChoiceIsOmittedWithoutTools(_ tools: [ToolDefinition]?) throws {
        let (_, json) = try httpRequest(chat(hello, tools: tools, toolChoice: .auto))
        #expect(json["tools"] == nil)
        #expect(json["tool_choice"] == nil)
    }

    @Test func schemaBecomesASystemInstruction() throws {
        let schema = JSONValue.object([
            "type": .string("object"), "required": .array([.string("name")]),
            "properties": .object(["name": .object(["type": .string("string")])]),
        ])
        let schemaJSON = #"{"properties":{"name":{"type":"string"}},"required":["name"],"type":"object"}"#

        let (_, withSystem) = try httpRequest(
            chat([ChatMessage(role: "system", content: "Be exact.")] + hello, schema: schema)
        )
        let system = try #require(withSystem["system"] as? String)
        #expect(system.hasPrefix("Be exact.\n\n"))
        #expect(system.contains("JSON"))
        #expect(system.hasSuffix(schemaJSON))

        let (_, withoutSystem) = try httpRequest(chat(hello, schema: schema))
        let instruction = try #require(withoutSystem["system"] as? String)
        #expect(system == "Be exact.\n\n" + instruction)
        #expect(withoutSystem["output_config"] == nil && withoutSystem["output_format"] == nil)
    }

    @Test func adapterMakesWorkingDecoder() throws {
        var decoder = AnthropicAdapter(endpoint: endpoint()).makeDecoder()
        var events: [ProviderEvent] = []
        try decoder.decode(Array(recordedAnthropicStream.utf8), into: &events)
        try decoder.finish(into: &events)
        #expect(events == AnthropicDecoderTests.expectedRecordedEvents)
    }
}

private func anthropicError(_ type: String, _ message: String) -> [UInt8] {
    Array(
        #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#
            .utf8
    )
}

@Suite struct AnthropicErrorMappingTests {
    struct StatusCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var headers: [HTTPHeader] = []
        var body: [UInt8] = []
        var type: ErrorType
        var retryable: Bool
        var retryAfterMs: Int? = nil
        var testDescription: String { "HTTP \(status) → \(type)" }
    }

    static let statusCases: [StatusCase] = [
        StatusCase(
            status: 401,
            body: anthropicError("authentication_error", "invalid x-api-key"),
            type: .upstreamAuth,
            retryable: false
        ),
        StatusCase(
            status: 403,
            body: anthropicError("permission_error", "not allowed"),
            type: .upstreamAuth,
            retryable: false
        ),
        StatusCase(
            status: 429,
            headers: [HTTPHeader("retry-after", "7")],
            body: anthropicError("rate_limit_error", "slow down"),
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 7000
        ),
        StatusCase(
            status: 429,
            body: anthropicError("rate_limit_error", "slow down"),
            type: .rateLimited,
            retryable: true
        ),
        StatusCase(
            status: 529,
            body: anthropicError("overloaded_error", "Overloaded"),
            type: .upstreamError,
            retryable: true
        ),
        StatusCase(
            status: 529,
            headers: [HTTPHeader("Retry-After", "3")],
            type: .upstreamError,
            retryable: true,
            retryAfterMs: 3000
        ),
        StatusCase(
            status: 503,
            headers: [HTTPHeader("retry-after", "1")],
            body: anthropicError("overloaded_error", "Overloaded"),
            type: .upstreamError,
            retryable: true,
            retryAfterMs: 1000
        ),
        StatusCase(
            status: 400,
            body: anthropicError("invalid_request_error", "max_tokens: Field required"),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(
            status: 404,
            body: anthropicError("not_found_error", "model: claude-9"),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(
            status: 413,
            body: anthropicError("request_too_large", "Request exceeds the maximum allowed number of bytes"),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(
            status: 500,
            body: anthropicError("api_error", "Internal server error"),
            type: .upstreamError,
            retryable: true
        ),
        StatusCase(status: 502, body: Array("<html>Bad Gateway</html>".utf8), type: .upstreamError, retryable: true),
    ]

    @Test(arguments: statusCases)
    func mapsStatus(_ c: StatusCase) {
        let error = AnthropicAdapter(endpoint: endpoint()).error(status: c.status, headers: c.headers, body: c.body)
        #expect(error.type == c.type)
        #expect(error.code == c.type.code)
        #expect(error.data.retryable == c.retryable)
        #expect(error.data.retryAfterMs == c.retryAfterMs)
        #expect(error.data.upstreamStatus == c.status)
        #expect(error.data.provider == "claude")
        #expect(error.message.hasPrefix("claude: "))
        #expect(error.message.contains("\(c.status)"))
    }

    @Test func messageIncludesProviderMessageScrubbed() {
        let error = AnthropicAdapter(endpoint: endpoint()).error(
            status: 529,
            headers: [],
            body: anthropicError("overloaded_error", "Overloaded for key sk-ant-api03-abcdefghijkl")
        )
        #expect(error.message.contains("overloaded"))
        #expect(error.message.contains("Overloaded for key"))
        #expect(!error.message.contains("abcdefghijkl"))
    }
}

/// `structured_output`: Anthropic's native JSON outputs (`output_config.format`) or the system-prompt instruction.
@Suite struct AnthropicStructuredOutputTests {
    /// Inside the documented subset: every object says `additionalProperties: false`.
    static let strictSchema = JSONValue.object([
        "type": .string("object"), "required": .array([.string("name")]), "additionalProperties": .bool(false),
        "properties": .object([
            "name": .object(["type": .string("string")]),
            "tags": .object(["type": .string("array"), "items": .object(["enum": .array([.string("a"), .null])])]),
        ]),
    ])

    private func send(
        model: String,
        schema: JSONValue = strictSchema,
        mode: String? = nil,
        system: String? = "Be exact."
    ) throws -> [String: Any] {
        var request = chat(
            (system.map { [ChatMessage(role: "system", content: $0)] } ?? []) + hello,
            schema: schema
        )
        request.model = model
        let options = mode.map { ["structured_output": $0] } ?? [:]
        return try httpRequest(request, endpoint(options: options)).1
    }

    @Test(arguments: ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-opus-4-6"])
    func autoUsesOutputConfigForDocumentedModels(_ model: String) throws {
        let json = try send(model: model)
        let expected = try canonical(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.strictSchema)))
        let config = try #require(json["output_config"] as? [String: Any], "\(json)")
        let format = try #require(config["format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        #expect(try canonical(format["schema"]) == expected)
        // The schema is enforced by the API; the system prompt stays the caller's own.
        #expect(json["system"] as? String == "Be exact.")
        #expect(json["output_format"] == nil)
    }

    @Test(arguments: ["claude-3-5-haiku-latest", "claude-3-7-sonnet-20250219", "claude-sonnet-4-50", "claude-sonnet-4"])
    func autoKeepsTheInstructionForOtherModels(_ model: String) throws {
        let json = try send(model: model)
        #expect(json["output_config"] == nil)
        let system = try #require(json["system"] as? String)
        #expect(system.hasPrefix("Be exact.\n\n") && system.contains("JSON Schema"))
    }

    @Test func autoKeepsTheInstructionForSchemasOutsideTheDocumentedSubset() throws {
        let bounded = JSONValue.object([
            "type": .string("object"), "additionalProperties": .bool(false),
            "properties": .object(["n": .object(["type": .string("integer"), "minimum": .number(1)])]),
        ])
        let open = JSONValue.object([
            "type": .string("object"), "properties": .object(["n": .object(["type": .string("integer")])]),
        ])
        for schema in [bounded, open] {
            let json = try send(model: "claude-sonnet-4-5", schema: schema)
            #expect(json["output_config"] == nil)
            #expect((json["system"] as? String)?.contains("JSON Schema") == true)
        }
    }

    @Test func nativeForcesOutputConfigAndInstructionForcesThePrompt() throws {
        let native = try send(model: "claude-3-5-haiku-latest", mode: "native", system: nil)
        #expect(native["output_config"] != nil)
        #expect(native["system"] == nil)
        let instruction = try send(model: "claude-sonnet-4-5", mode: "instruction")
        #expect(instruction["output_config"] == nil)
        #expect((instruction["system"] as? String)?.contains("JSON Schema") == true)
    }

    @Test func noSchemaNoOutputConfig() throws {
        var request = chat(hello)
        request.model = "claude-sonnet-4-5"
        let json = try httpRequest(request, endpoint(options: ["structured_output": "native"])).1
        #expect(json["output_config"] == nil)
    }

    @Test(arguments: [
        ("claude-sonnet-4-5", true), ("claude-sonnet-4-5-20250929", true), ("claude-sonnet-4-5@20250929", true),
        ("claude-opus-4-7", true), ("claude-sonnet-4-6", true), ("claude-opus-4-5-20251101", true),
        ("claude-sonnet-4-50", false), ("claude-sonnet-4", false), ("claude-opus-4-1", false),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", false), ("", false),
    ])
    func documentedModels(_ model: String, _ native: Bool) {
        #expect(AnthropicStructuredOutput.isDocumentedNative(model) == native)
    }

    @Test func schemaSubset() {
        func object(_ members: [String: JSONValue]) -> JSONValue { .object(members) }
        let closed: [String: JSONValue] = ["type": .string("object"), "additionalProperties": .bool(false)]
        #expect(AnthropicSchemaSupport.isSupported(object(["type": .string("string"), "format": .string("email")])))
        #expect(AnthropicSchemaSupport.isSupported(object(closed)))
        #expect(
            AnthropicSchemaSupport.isSupported(
                object(["anyOf": .array([object(["type": .string("null")]), object(closed)])])
            )
        )
        #expect(!AnthropicSchemaSupport.isSupported(object(["type": .string("string"), "format": .string("regex")])))
        #expect(!AnthropicSchemaSupport.isSupported(object(["type": .string("string"), "maxLength": .number(3)])))
        #expect(!AnthropicSchemaSupport.isSupported(object(["type": .string("array"), "minItems": .number(2)])))
        #expect(!AnthropicSchemaSupport.isSupported(object(["$ref": .string("#/$defs/a")])))
        #expect(!AnthropicSchemaSupport.isSupported(object(["enum": .array([.object([:])])])))
        #expect(!AnthropicSchemaSupport.isSupported(object(["type": .string("object")])))
        #expect(!AnthropicSchemaSupport.isSupported(.bool(true)))
        var nested = closed
        nested["properties"] = object(["inner": object(["type": .string("object")])])
        #expect(!AnthropicSchemaSupport.isSupported(object(nested)))
    }
}
