import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

// MARK: - Fixtures

/// One `/api/chat` record as Ollama writes it, with its timestamp and without a line end.
private func ollamaLine(_ message: String, model: String = "qwen3:8b", done: String = #""done":false"#) -> String {
    #"{"model":"\#(model)","created_at":"2025-06-02T10:15:01.123456789Z","message":{"role":"assistant",\#(message)},\#(done)}"#
}

private func ollamaFinal(
    reason: String? = "stop",
    counts: String = #","prompt_eval_count":26,"eval_count":282"#
) -> String {
    let reasonJSON = reason.map { #""done_reason":"\#($0)","# } ?? ""
    return ollamaLine(
        #""content":"""#,
        done: #"\#(reasonJSON)"done":true,"total_duration":4883583458,"load_duration":1334875"# + counts
            + #","prompt_eval_duration":342546000,"eval_duration":4535599000"#
    )
}

/// Recorded from `qwen3:8b` with a tool offered: thinking, text, a whole tool call, the final record.
private let toolCallRecording = [
    ollamaLine(#""content":"","thinking":"The user wants the weather""#),
    ollamaLine(#""content":"","thinking":" in Zürich.""#),
    ollamaLine(#""content":"Grüezi 👋 — ""#),
    ollamaLine(#""content":"einen Moment…\n""#),
    ollamaLine(
        #""content":"","tool_calls":[{"function":{"index":0,"name":"get_weather","arguments":{"city":"Zürich","days":2}}}]"#
    ),
    ollamaFinal(),
]

private let toolCallRecordingEvents: [ProviderEvent] = [
    .model("qwen3:8b"), .reasoning("The user wants the weather"), .reasoning(" in Zürich."),
    .text("Grüezi 👋 — "), .text("einen Moment…\n"),
    .toolCall(
        ToolCall(
            id: "call_0",
            name: "get_weather",
            arguments: .object(["city": .string("Zürich"), "days": .number(2)])
        )
    ),
    .finish(.toolCalls),
    .usage(Usage(inputTokens: 26, outputTokens: 282)),
]

/// Plain text cut off by `num_predict`.
private let lengthRecording = [
    ollamaLine(#""content":"日本語の""#, model: "llama3.2:3b"),
    ollamaLine(#""content":"テキスト \"quoted\" \\""#, model: "llama3.2:3b"),
    ollamaFinal(reason: "length", counts: #","prompt_eval_count":11,"eval_count":4"#).replacing(
        "qwen3:8b",
        with: "llama3.2:3b"
    ),
]

private let lengthRecordingEvents: [ProviderEvent] = [
    .model("llama3.2:3b"), .text("日本語の"), .text("テキスト \"quoted\" \\"), .finish(.length),
    .usage(Usage(inputTokens: 11, outputTokens: 4)),
]

private func body(_ lines: [String], ending: String = "\n") -> String {
    lines.map { $0 + ending }.joined()
}

private func decodeOllama(_ pieces: [[UInt8]]) throws(RPCError) -> [ProviderEvent] {
    var decoder = OllamaStreamDecoder(provider: "ollama")
    var events: [ProviderEvent] = []
    for piece in pieces { try decoder.decode(piece, into: &events) }
    try decoder.finish(into: &events)
    return events
}

private func decodeOllama(_ text: String) throws(RPCError) -> [ProviderEvent] {
    try decodeOllama([Array(text.utf8)])
}

// MARK: - Decoder

@Suite struct OllamaDecoderTests {
    struct Recording: Sendable, CustomTestStringConvertible {
        var name: String
        var lines: [String]
        var expected: [ProviderEvent]
        var testDescription: String { name }
    }

    static let recordings = [
        Recording(name: "thinking, text, tool call", lines: toolCallRecording, expected: toolCallRecordingEvents),
        Recording(name: "length", lines: lengthRecording, expected: lengthRecordingEvents),
    ]

    @Test(arguments: recordings, ["\n", "\r\n"])
    func decodesRecordingWhole(_ recording: Recording, _ ending: String) throws {
        #expect(try decodeOllama(body(recording.lines, ending: ending)) == recording.expected)
    }

    @Test(arguments: recordings, ["\n", "\r\n"])
    func recordingSplitAtEveryByte(_ recording: Recording, _ ending: String) throws {
        let bytes = Array(body(recording.lines, ending: ending).utf8)
        for offset in 0...bytes.count {
            #expect(
                try decodeOllama([Array(bytes[..<offset]), Array(bytes[offset...])]) == recording.expected,
                "split at \(offset)"
            )
        }
    }

    @Test(arguments: recordings, ["\n", "\r\n"])
    func recordingByteByByte(_ recording: Recording, _ ending: String) throws {
        #expect(try decodeOllama(Array(body(recording.lines, ending: ending).utf8).map { [$0] }) == recording.expected)
    }

    @Test(arguments: [
        (String?.some("stop"), false, FinishReason.stop), ("length", false, .length), ("load", false, .stop),
        ("unload", false, .stop),
        (nil, false, .stop), ("something_new", false, .stop),
        ("stop", true, .toolCalls), (nil, true, .toolCalls), ("length", true, .length),
    ])
    func finishReasonMapping(_ reason: String?, _ withToolCall: Bool, _ expected: FinishReason) throws {
        let call = ollamaLine(#""content":"","tool_calls":[{"function":{"name":"f","arguments":{}}}]"#)
        let events = try decodeOllama(body((withToolCall ? [call] : []) + [ollamaFinal(reason: reason)]))
        #expect(events.suffix(2) == [.finish(expected), .usage(Usage(inputTokens: 26, outputTokens: 282))])
    }

    @Test(arguments: [
        ("", Usage?.none),
        (#","eval_count":5"#, Usage(inputTokens: 0, outputTokens: 5)),
        (#","prompt_eval_count":9"#, Usage(inputTokens: 9, outputTokens: 0)),
    ])
    func usageFromCounts(_ counts: String, _ expected: Usage?) throws {
        let events = try decodeOllama(body([ollamaFinal(counts: counts)]))
        #expect(events == [.model("qwen3:8b"), .finish(.stop)] + (expected.map { [.usage($0)] } ?? []))
    }

    @Test func finalLineWithoutLineEndIsAccepted() throws {
        let text = body([ollamaLine(#""content":"hi""#)]) + ollamaFinal()
        #expect(
            try decodeOllama(text) == [
                .model("qwen3:8b"), .text("hi"), .finish(.stop), .usage(Usage(inputTokens: 26, outputTokens: 282)),
            ]
        )
    }

    @Test func nonStreamedAnswerIsOneRecord() throws {
        let record =
            #"{"model":"qwen3:8b","created_at":"2025-06-02T10:15:01Z","message":{"role":"assistant","content":"whole answer"},"done_reason":"stop","done":true,"prompt_eval_count":3,"eval_count":2}"#
        #expect(
            try decodeOllama(record) == [
                .model("qwen3:8b"), .text("whole answer"), .finish(.stop),
                .usage(Usage(inputTokens: 3, outputTokens: 2)),
            ]
        )
    }

    @Test func recordsAfterDoneAreIgnored() throws {
        let text = body([ollamaFinal(), ollamaLine(#""content":"late""#), "not json"])
        #expect(
            try decodeOllama(text) == [
                .model("qwen3:8b"), .finish(.stop), .usage(Usage(inputTokens: 26, outputTokens: 282)),
            ]
        )
    }

    @Test func blankLinesAreSkipped() throws {
        let text = "\n\r\n" + body([ollamaLine(#""content":"a""#)]) + "  \n" + body([ollamaFinal()])
        #expect(try decodeOllama(text).contains(.text("a")))
    }

    @Test(arguments: [
        "",
        "\n",
        body([ollamaLine(#""content":"a""#)]),
        body([ollamaLine(#""content":"a""#)])
            + #"{"model":"qwen3:8b","message":{"role":"assistant","content":"","done":tr"#,
        body([ollamaLine(#""content":"a""#)]) + String(ollamaFinal().dropLast(5)),
    ])
    func missingFinalRecordIsRetryableUpstreamError(_ text: String) throws {
        var decoder = OllamaStreamDecoder(provider: "ollama")
        var events: [ProviderEvent] = []
        try decoder.decode(Array(text.utf8), into: &events)
        let error = #expect(throws: RPCError.self) { try decoder.finish(into: &events) }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == true)
        #expect(error?.data.provider == "ollama")
    }

    @Test(arguments: [
        (#"{"error":"an error was encountered while running the model: unexpected EOF"}"#, "unexpected EOF"),
        (#"{"error":{"message":"upstream proxy failed","type":"api_error"}}"#, "upstream proxy failed"),
    ])
    func inStreamErrorIsRetryableUpstreamError(_ line: String, _ text: String) throws {
        var decoder = OllamaStreamDecoder(provider: "ollama")
        var events: [ProviderEvent] = []
        let error = #expect(throws: RPCError.self) {
            try decoder.decode(Array(body([ollamaLine(#""content":"partial""#), line]).utf8), into: &events)
        }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == true)
        #expect(error?.message.hasPrefix("ollama: ") == true)
        #expect(error?.message.contains(text) == true)
        #expect(events == [.model("qwen3:8b"), .text("partial")], "events before the error are kept")
    }

    @Test func inStreamErrorIsScrubbed() {
        let line = #"{"error":"bad token sk-abcdefghijkl1234"}"#
        let error = #expect(throws: RPCError.self) { try decodeOllama(line + "\n") }
        #expect(error?.message.contains("sk-abcdefghijkl1234") == false)
    }

    @Test func toolCallIdsAndArgumentForms() throws {
        let calls = [
            ollamaLine(
                #""content":"","tool_calls":[{"id":"call_abc","function":{"index":0,"name":"a","arguments":{"x":[1,true,null]}}},{"function":{"index":1,"name":"b","arguments":"{\"y\":\"z\"}"}}]"#
            ),
            ollamaLine(#""content":"","tool_calls":[{"id":"","function":{"name":"c"}}]"#),
        ]
        let events = try decodeOllama(body(calls + [ollamaFinal()]))
        #expect(
            events.compactMap { event -> ToolCall? in if case .toolCall(let call) = event { call } else { nil } } == [
                ToolCall(
                    id: "call_abc",
                    name: "a",
                    arguments: .object(["x": .array([.number(1), .bool(true), .null])])
                ),
                ToolCall(id: "call_1", name: "b", arguments: .object(["y": .string("z")])),
                ToolCall(id: "call_2", name: "c", arguments: .object([:])),
            ]
        )
    }

    @Test(arguments: [
        #""content":"","tool_calls":[{"function":{"name":"f","arguments":[1]}}]"#,
        #""content":"","tool_calls":[{"function":{"name":"f","arguments":"not json"}}]"#,
        #""content":"","tool_calls":[{"function":{"arguments":{}}}]"#,
        #""content":5"#,
    ])
    func malformedRecordIsBadResponse(_ message: String) {
        let error = #expect(throws: RPCError.self) { try decodeOllama(body([ollamaLine(message), ollamaFinal()])) }
        #expect(error?.type == .upstreamBadResponse)
        #expect(error?.data.retryable == true)
    }

    @Test(arguments: ["not json\n", "[1,2]\n", "{\"done\":\"yes\"}\n"])
    func invalidLineIsBadResponse(_ text: String) {
        let error = #expect(throws: RPCError.self) { try decodeOllama(text) }
        #expect(error?.type == .upstreamBadResponse)
    }

    @Test func overlongLineIsBadResponse() {
        var decoder = OllamaStreamDecoder(provider: "ollama")
        var events: [ProviderEvent] = []
        let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 8 * 1024 * 1024 + 1)
        let error = #expect(throws: RPCError.self) { try decoder.decode(huge, into: &events) }
        #expect(error?.type == .upstreamBadResponse)
    }

    @Test func adapterMakesOllamaDecoder() throws {
        let adapter = OllamaAdapter(
            endpoint: ProviderEndpoint(
                name: "o",
                type: .openaiCompatible,
                baseURL: "http://x",
                apiKey: nil,
                defaultModel: nil
            )
        )
        var decoder = adapter.makeDecoder()
        var events: [ProviderEvent] = []
        try decoder.decode(Array(body(toolCallRecording).utf8), into: &events)
        try decoder.finish(into: &events)
        #expect(events == toolCallRecordingEvents)
    }
}

// MARK: - Request

@Suite struct OllamaRequestTests {
    private func endpoint(
        key: String? = nil,
        headers: [HTTPHeader] = [],
        baseURL: String = "http://127.0.0.1:11434"
    ) -> ProviderEndpoint {
        // The type is irrelevant to the adapter; another change adds a dedicated case.
        ProviderEndpoint(
            name: "ollama",
            type: .openaiCompatible,
            baseURL: baseURL,
            apiKey: key.map(Secret.init),
            defaultModel: nil,
            headers: headers
        )
    }

    private func send(_ request: ChatRequest, endpoint: ProviderEndpoint? = nil) throws -> (HTTPRequest, JSONValue) {
        let http = try OllamaAdapter(endpoint: endpoint ?? self.endpoint()).httpRequest(
            for: request,
            timeouts: TransferTimeouts(connect: .seconds(2), total: .seconds(30))
        )
        return (http, try JSONDecoder().decode(JSONValue.self, from: Data(try #require(http.body))))
    }

    private static let tools = [
        ToolDefinition(
            name: "get_weather",
            description: "Weather for a city",
            parameters: .object([
                "type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])]),
            ])
        ),
        ToolDefinition(name: "get_time"),
    ]

    private static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test func mapsConversationToolsOptionsAndFormat() throws {
        let messages = [
            ChatMessage(role: "system", content: "Be brief."),
            ChatMessage(role: "user", content: "Wetter in Zürich? 🌦"),
            ChatMessage(
                role: "assistant",
                content: "",
                toolCalls: [
                    ToolCall(id: "call_0", name: "get_weather", arguments: .object(["city": .string("Zürich")]))
                ]
            ),
            ChatMessage(role: "tool", content: #"{"temp_c":21}"#, toolCallId: "call_0"),
            ChatMessage(role: "tool", content: "orphan", toolCallId: "call_9"),
            ChatMessage(role: "assistant", content: "21 °C."),
        ]
        let schema = JSONValue.object(["type": .string("object")])
        let (http, body) = try send(
            ChatRequest(
                messages: messages,
                model: "qwen3:8b",
                maxTokens: 128,
                temperature: 0.5,
                tools: Self.tools,
                toolChoice: .auto,
                schema: schema
            )
        )
        #expect(http.method == "POST")
        #expect(http.url == "http://127.0.0.1:11434/api/chat")
        #expect(http.timeouts == TransferTimeouts(connect: .seconds(2), total: .seconds(30)))
        #expect(
            body
                == (try Self.parse(
                    #"""
                    {
                      "model": "qwen3:8b",
                      "stream": true,
                      "messages": [
                        {"role": "system", "content": "Be brief."},
                        {"role": "user", "content": "Wetter in Zürich? 🌦"},
                        {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Zürich"}}}]},
                        {"role": "tool", "content": "{\"temp_c\":21}", "tool_name": "get_weather"},
                        {"role": "tool", "content": "orphan"},
                        {"role": "assistant", "content": "21 °C."}
                      ],
                      "options": {"temperature": 0.5, "num_predict": 128},
                      "tools": [
                        {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}},
                        {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}
                      ],
                      "format": {"type": "object"}
                    }
                    """#
                ))
        )
    }

    @Test func minimalRequest() throws {
        let (_, body) = try send(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "hi")],
                model: "llama3.2",
                maxTokens: nil,
                temperature: nil
            )
        )
        #expect(
            body
                == (try Self.parse(
                    #"{"model": "llama3.2", "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#
                ))
        )
    }

    @Test(arguments: [
        (ToolChoice?.none, [String]?.some(["get_weather", "get_time"])),
        (ToolChoice.auto, ["get_weather", "get_time"]),
        (ToolChoice.required, ["get_weather", "get_time"]),
        (ToolChoice.tool("get_time"), ["get_time"]),
        (ToolChoice.none, nil),
    ])
    func toolChoiceIsApproximatedByOfferedTools(_ choice: ToolChoice?, _ offered: [String]?) throws {
        let (_, body) = try send(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "hi")],
                model: "m",
                maxTokens: nil,
                temperature: nil,
                tools: Self.tools,
                toolChoice: choice
            )
        )
        #expect(body["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } == offered)
        #expect(body["tool_choice"] == nil)
    }

    @Test func authorizationOnlyWithKey() throws {
        let request = ChatRequest(
            messages: [ChatMessage(role: "user", content: "hi")],
            model: "m",
            maxTokens: nil,
            temperature: nil
        )
        let (local, _) = try send(request)
        #expect(local.headers.first(named: "authorization") == nil)
        #expect(local.headers.first(named: "content-type") == "application/json")

        let (cloud, _) = try send(
            request,
            endpoint: endpoint(
                key: "ollama-key-123",
                headers: [HTTPHeader("X-Trace", "1")],
                baseURL: "https://ollama.com/"
            )
        )
        #expect(cloud.url == "https://ollama.com/api/chat")
        #expect(cloud.headers.first(named: "authorization") == "Bearer ollama-key-123")
        #expect(cloud.headers.first(named: "x-trace") == "1")
        #expect(!cloud.url.contains("ollama-key-123"))
    }
}

// MARK: - Errors

@Suite struct OllamaErrorMappingTests {
    struct StatusCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var body: String
        var type: ErrorType
        var retryable: Bool
        var messagePart: String
        var testDescription: String { "HTTP \(status) \(body.prefix(30))" }
    }

    static let cases = [
        StatusCase(
            status: 404,
            body: #"{"error":"model 'llama9' not found"}"#,
            type: .upstreamInvalidRequest,
            retryable: false,
            messagePart: "model 'llama9' not found"
        ),
        StatusCase(
            status: 404,
            body: "404 page not found",
            type: .upstreamInvalidRequest,
            retryable: false,
            messagePart: "without /v1"
        ),
        StatusCase(
            status: 400,
            body: #"{"error":"invalid options: num_predict"}"#,
            type: .upstreamInvalidRequest,
            retryable: false,
            messagePart: "invalid options"
        ),
        StatusCase(
            status: 401,
            body: #"{"error":"unauthorized"}"#,
            type: .upstreamAuth,
            retryable: false,
            messagePart: "unauthorized"
        ),
        StatusCase(
            status: 429,
            body: #"{"error":"too many requests"}"#,
            type: .rateLimited,
            retryable: true,
            messagePart: "too many"
        ),
        StatusCase(
            status: 500,
            body: #"{"error":"llama runner process has terminated: signal: killed"}"#,
            type: .upstreamError,
            retryable: true,
            messagePart: "llama runner"
        ),
        StatusCase(
            status: 503,
            body: #"{"error":"server busy, please try again.  maximum pending requests exceeded"}"#,
            type: .upstreamError,
            retryable: true,
            messagePart: "server busy"
        ),
    ]

    @Test(arguments: cases)
    func mapsStatus(_ c: StatusCase) {
        let adapter = OllamaAdapter(
            endpoint: ProviderEndpoint(
                name: "ollama",
                type: .openaiCompatible,
                baseURL: "http://127.0.0.1:11434",
                apiKey: nil,
                defaultModel: nil
            )
        )
        let error = adapter.error(status: c.status, headers: [], body: Array(c.body.utf8))
        #expect(error.type == c.type)
        #expect(error.code == c.type.code)
        #expect(error.data.retryable == c.retryable)
        #expect(error.data.upstreamStatus == c.status)
        #expect(error.data.provider == "ollama")
        #expect(error.message.hasPrefix("ollama: "))
        #expect(error.message.contains("HTTP \(c.status)"))
        #expect(error.message.contains(c.messagePart))
    }

    @Test func notFoundMessageIsScrubbed() {
        let adapter = OllamaAdapter(
            endpoint: ProviderEndpoint(
                name: "ollama",
                type: .openaiCompatible,
                baseURL: "https://ollama.com",
                apiKey: Secret("my-secret-key"),
                defaultModel: nil
            )
        )
        let error = adapter.error(
            status: 404,
            headers: [],
            body: Array(#"{"error":"model not found for my-secret-key"}"#.utf8)
        )
        #expect(!error.message.contains("my-secret-key"))
    }
}
