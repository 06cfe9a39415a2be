import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

// MARK: - Fixtures

/// One `alt=sse` event as Gemini frames it: `data: <JSON>` and a CRLF blank line.
private func geminiEvent(_ json: String) -> String { "data: \(json)\r\n\r\n" }

/// A response event with the given parts, optional finish reason and usage.
private func geminiChunk(
    _ parts: String,
    finish: String? = nil,
    usage: String? = nil,
    model: String = "gemini-2.5-flash"
) -> String {
    let finishJSON = finish.map { #","finishReason": "\#($0)""# } ?? ""
    let usageJSON = usage.map { #","usageMetadata": \#($0)"# } ?? ""
    return geminiEvent(
        #"{"candidates": [{"content": {"parts": \#(parts),"role": "model"}\#(finishJSON),"index": 0}]\#(usageJSON),"modelVersion": "\#(model)","responseId": "mtTxaN6pJ8"}"#
    )
}

/// Recorded from `gemini-2.5-flash` with `includeThoughts`, a tool and a cached prefix: a thought
/// summary, text, then the function call with the finish reason and the complete usage.
private let toolCallRecording =
    geminiChunk(
        #"[{"text": "**Checking the weather**\n\nThe user asks about Zürich — I should call `get_weather`.","thought": true}]"#,
        usage:
            #"{"promptTokenCount": 58,"totalTokenCount": 58,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 58}]}"#
    )
    + geminiChunk(
        #"[{"text": "Grüezi! Ich schaue nach 🌦️ …"}]"#,
        usage: #"{"promptTokenCount": 58,"candidatesTokenCount": 9,"totalTokenCount": 111,"thoughtsTokenCount": 44}"#
    )
    + geminiChunk(
        #"[{"functionCall": {"name": "get_weather","args": {"city": "Zürich","days": 2,"units": ["°C"]}},"thoughtSignature": "CiQB0e2Kb6dUqCmh2vWQ"}]"#,
        finish: "STOP",
        usage:
            #"{"promptTokenCount": 58,"candidatesTokenCount": 27,"totalTokenCount": 137,"cachedContentTokenCount": 32,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 58}],"thoughtsTokenCount": 52}"#
    )

private let toolCallRecordingEvents: [ProviderEvent] = [
    .model("gemini-2.5-flash"),
    .reasoning("**Checking the weather**\n\nThe user asks about Zürich — I should call `get_weather`."),
    .text("Grüezi! Ich schaue nach 🌦️ …"),
    .toolCall(
        ToolCall(
            id: "call_0",
            name: "get_weather",
            arguments: .object(["city": .string("Zürich"), "days": .number(2), "units": .array([.string("°C")])])
        )
    ),
    .finish(.toolCalls),
    .usage(Usage(inputTokens: 58, outputTokens: 79, totalTokens: 137, cachedInputTokens: 32, reasoningTokens: 52)),
]

/// Plain text over several events; the last one carries the finish reason, a later one only usage.
private let textRecording =
    geminiChunk(
        #"[{"text": "你好，"}]"#,
        usage: #"{"promptTokenCount": 7,"totalTokenCount": 7}"#,
        model: "gemini-2.0-flash-001"
    )
    + geminiChunk(#"[{"text": "世界！\n\"quoted\" \\ back"}]"#, model: "gemini-2.0-flash-001")
    + geminiChunk(
        #"[{"text": ""}]"#,
        finish: "STOP",
        usage: #"{"promptTokenCount": 7,"candidatesTokenCount": 6,"totalTokenCount": 13}"#,
        model: "gemini-2.0-flash-001"
    )

private let textRecordingEvents: [ProviderEvent] = [
    .model("gemini-2.0-flash-001"), .text("你好，"), .text("世界！\n\"quoted\" \\ back"), .finish(.stop),
    .usage(Usage(inputTokens: 7, outputTokens: 6, totalTokens: 13)),
]

private func decodeGemini(_ pieces: [[UInt8]]) throws(RPCError) -> [ProviderEvent] {
    var decoder = GeminiStreamDecoder(provider: "gemini")
    var events: [ProviderEvent] = []
    for piece in pieces { try decoder.decode(piece, into: &events) }
    try decoder.finish(into: &events)
    return events
}

private func decodeGemini(_ body: String) throws(RPCError) -> [ProviderEvent] {
    try decodeGemini([Array(body.utf8)])
}

private func parseJSON(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

// MARK: - Decoder

@Suite struct GeminiDecoderTests {
    struct Recording: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var expected: [ProviderEvent]
        var testDescription: String { name }
    }

    static let recordings = [
        Recording(name: "thought, text, function call", body: toolCallRecording, expected: toolCallRecordingEvents),
        Recording(name: "text only", body: textRecording, expected: textRecordingEvents),
    ]

    @Test(arguments: recordings)
    func decodesRecordingWhole(_ recording: Recording) throws {
        #expect(try decodeGemini(recording.body) == recording.expected)
    }

    @Test(arguments: recordings)
    func recordingSplitAtEveryByte(_ recording: Recording) throws {
        let bytes = Array(recording.body.utf8)
        for offset in 0...bytes.count {
            #expect(
                try decodeGemini([Array(bytes[..<offset]), Array(bytes[offset...])]) == recording.expected,
                "split at \(offset)"
            )
        }
    }

    @Test(arguments: recordings)
    func recordingByteByByte(_ recording: Recording) throws {
        #expect(try decodeGemini(Array(recording.body.utf8).map { [$0] }) == recording.expected)
    }

    @Test(arguments: [
        ("STOP", FinishReason.stop), ("MAX_TOKENS", .length), ("SAFETY", .contentFilter),
        ("RECITATION", .contentFilter),
        ("BLOCKLIST", .contentFilter), ("PROHIBITED_CONTENT", .contentFilter), ("SPII", .contentFilter),
        ("OTHER", .stop), ("MALFORMED_FUNCTION_CALL", .stop), ("FINISH_REASON_UNSPECIFIED", .stop),
        ("SOMETHING_NEW", .stop),
    ])
    func finishReasonMapping(_ raw: String, _ expected: FinishReason) throws {
        let events = try decodeGemini(geminiChunk(#"[{"text": "x"}]"#, finish: raw))
        #expect(events == [.model("gemini-2.5-flash"), .text("x"), .finish(expected)])
    }

    @Test(arguments: [("STOP", FinishReason.toolCalls), ("MAX_TOKENS", .length), ("SAFETY", .contentFilter)])
    func functionCallTurnsOnlyStopIntoToolCalls(_ raw: String, _ expected: FinishReason) throws {
        let events = try decodeGemini(
            geminiChunk(#"[{"functionCall": {"name": "f","args": {}}}]"#)
                + geminiChunk(#"[{"text": ""}]"#, finish: raw)
        )
        #expect(events.last == .finish(expected))
    }

    @Test func blockedPromptFinishesWithContentFilter() throws {
        let body = geminiEvent(
            #"{"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},"usageMetadata": {"promptTokenCount": 12,"totalTokenCount": 12},"modelVersion": "gemini-2.5-flash","responseId": "x"}"#
        )
        #expect(
            try decodeGemini(body) == [
                .model("gemini-2.5-flash"), .finish(.contentFilter),
                .usage(Usage(inputTokens: 12, outputTokens: 0, totalTokens: 12)),
            ]
        )
    }

    @Test func safetyStopMidAnswerKeepsTextAndFiltersFinish() throws {
        let body =
            geminiChunk(#"[{"text": "Here is"}]"#)
            + geminiEvent(
                #"{"candidates": [{"finishReason": "SAFETY","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "HIGH","blocked": true}]}],"modelVersion": "gemini-2.5-flash"}"#
            )
        #expect(try decodeGemini(body) == [.model("gemini-2.5-flash"), .text("Here is"), .finish(.contentFilter)])
    }

    @Test func finishReportedOnceAndLatestUsageWins() throws {
        let body =
            geminiChunk(
                #"[{"text": "a"}]"#,
                finish: "STOP",
                usage: #"{"promptTokenCount": 3,"candidatesTokenCount": 1}"#
            )
            + geminiChunk(
                #"[{"text": "b"}]"#,
                finish: "MAX_TOKENS",
                usage: #"{"promptTokenCount": 3,"candidatesTokenCount": 2,"totalTokenCount": 5}"#
            )
        #expect(
            try decodeGemini(body) == [
                .model("gemini-2.5-flash"), .text("a"), .finish(.stop), .text("b"),
                .usage(Usage(inputTokens: 3, outputTokens: 2, totalTokens: 5)),
            ]
        )
    }

    @Test func noUsageWithoutUsageMetadata() throws {
        #expect(
            try decodeGemini(geminiChunk(#"[{"text": "a"}]"#, finish: "STOP")).contains { event in
                if case .usage = event { true } else { false }
            } == false
        )
    }

    @Test func functionCallIdsAreNumberedUnlessSent() throws {
        let body =
            geminiChunk(#"[{"functionCall": {"name": "a","args": {"x": 1}}},{"functionCall": {"name": "b"}}]"#)
            + geminiChunk(
                #"[{"functionCall": {"id": "fc-7","name": "c","args": null}},{"functionCall": {"name": "d","args": {}}}]"#,
                finish: "STOP"
            )
        let calls = try decodeGemini(body).compactMap { event -> ToolCall? in
            if case .toolCall(let call) = event { call } else { nil }
        }
        #expect(
            calls == [
                ToolCall(id: "call_0", name: "a", arguments: .object(["x": .number(1)])),
                ToolCall(id: "call_1", name: "b", arguments: .object([:])),
                ToolCall(id: "fc-7", name: "c", arguments: .object([:])),
                ToolCall(id: "call_3", name: "d", arguments: .object([:])),
            ]
        )
    }

    @Test(arguments: [
        #"[{"functionCall": {"name": "f","args": "{\"x\":1}"}}]"#,
        #"[{"functionCall": {"name": "f","args": [1]}}]"#,
        #"[{"functionCall": {"args": {}}}]"#,
    ])
    func malformedFunctionCallIsBadResponse(_ parts: String) {
        let error = #expect(throws: RPCError.self) { try decodeGemini(geminiChunk(parts, finish: "STOP")) }
        #expect(error?.type == .upstreamBadResponse)
    }

    @Test(arguments: [
        "",
        geminiChunk(#"[{"text": "cut"}]"#),
        geminiChunk(#"[{"text": "cut"}]"#)
            + #"data: {"candidates": [{"content": {"parts": [{"text": "x"}]},"finishReason": "STOP"}]}"#,
        geminiChunk(#"[{"text": "cut"}]"#) + #"data: {"candidates": [{"content": {"parts": [{"te"#,
    ])
    func missingFinishReasonIsRetryableUpstreamError(_ body: String) throws {
        var decoder = GeminiStreamDecoder(provider: "gemini")
        var events: [ProviderEvent] = []
        try decoder.decode(Array(body.utf8), into: &events)
        let error = #expect(throws: RPCError.self) { try decoder.finish(into: &events) }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == true)
        #expect(error?.data.provider == "gemini")
    }

    @Test func inStreamErrorIsScrubbedRetryableUpstreamError() throws {
        let body =
            geminiChunk(#"[{"text": "partial"}]"#)
            + geminiEvent(
                #"{"error": {"code": 503,"message": "The model is overloaded. Please try again later. key-abcdefgh12345678","status": "UNAVAILABLE"}}"#
            )
        var decoder = GeminiStreamDecoder(provider: "gemini")
        var events: [ProviderEvent] = []
        let error = #expect(throws: RPCError.self) { try decoder.decode(Array(body.utf8), into: &events) }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == true)
        #expect(error?.message.hasPrefix("gemini: ") == true)
        #expect(error?.message.contains("The model is overloaded") == true)
        #expect(error?.message.contains("abcdefgh12345678") == false)
        #expect(events == [.model("gemini-2.5-flash"), .text("partial")], "events before the error are kept")
    }

    @Test(arguments: [
        "data: {not json}\r\n\r\n", "data: [DONE]\r\n\r\n", #"data: {"candidates": "nope"}"# + "\r\n\r\n",
    ])
    func invalidEventIsBadResponse(_ body: String) {
        let error = #expect(throws: RPCError.self) { try decodeGemini(body) }
        #expect(error?.type == .upstreamBadResponse)
        #expect(error?.data.retryable == true)
    }

    @Test func unknownFieldsAndPartsAreIgnored() throws {
        let body = geminiChunk(
            #"[{"executableCode": {"language": "PYTHON","code": "1+1"}},{"thoughtSignature": "abc"},{"text": "ok","future": 1}]"#,
            finish: "STOP"
        )
        #expect(try decodeGemini(body) == [.model("gemini-2.5-flash"), .text("ok"), .finish(.stop)])
    }

    @Test func absurdTokenCountsDoNotOverflow() throws {
        let body = geminiChunk(
            "[]",
            finish: "STOP",
            usage: "{\"promptTokenCount\": 1,\"candidatesTokenCount\": \(Int.max),\"thoughtsTokenCount\": 5}"
        )
        #expect(
            try decodeGemini(body).last
                == .usage(Usage(inputTokens: 1, outputTokens: Int.max, totalTokens: Int.max, reasoningTokens: 5))
        )
    }

    @Test func adapterMakesGeminiDecoder() throws {
        let adapter = GeminiAdapter(
            endpoint: ProviderEndpoint(
                name: "g",
                type: .openaiCompatible,
                baseURL: "http://x",
                apiKey: nil,
                defaultModel: nil
            )
        )
        var decoder = adapter.makeDecoder()
        var events: [ProviderEvent] = []
        try decoder.decode(Array(toolCallRecording.utf8), into: &events)
        try decoder.finish(into: &events)
        #expect(events == toolCallRecordingEvents)
    }
}

// MARK: - Request

@Suite struct GeminiRequestTests {
    private static let key = "AIzaSyD-test-key-0123456789abcdefghij"

    private func endpoint(
        key: String? = GeminiRequestTests.key,
        headers: [HTTPHeader] = [],
        baseURL: String = "https://generativelanguage.googleapis.com/v1beta/"
    ) -> ProviderEndpoint {
        // The type is irrelevant to the adapter; another change adds a dedicated case.
        ProviderEndpoint(
            name: "gemini",
            type: .openaiCompatible,
            baseURL: baseURL,
            apiKey: key.map(Secret.init),
            defaultModel: nil,
            headers: headers
        )
    }

    private func send(_ request: ChatRequest, endpoint: ProviderEndpoint? = nil) throws -> (HTTPRequest, JSONValue) {
        let http = try GeminiAdapter(endpoint: endpoint ?? self.endpoint()).httpRequest(
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
                "type": .string("object"),
                "properties": .object(["city": .object(["type": .string("string")])]),
                "required": .array([.string("city")]),
            ])
        ),
        ToolDefinition(name: "get_time"),
    ]

    private static let conversation = [
        ChatMessage(role: "system", content: "Be brief."),
        ChatMessage(role: "user", content: "Wie ist das Wetter in Zürich? 🌦"),
        ChatMessage(role: "system", content: "Answer in English."),
        ChatMessage(
            role: "assistant",
            content: "",
            toolCalls: [
                ToolCall(id: "call_0", name: "get_weather", arguments: .object(["city": .string("Zürich")])),
                ToolCall(id: "call_1", name: "get_time", arguments: .object([:])),
            ]
        ),
        ChatMessage(role: "tool", content: #"{"temp_c": 21, "sky": "sunny"}"#, toolCallId: "call_0"),
        ChatMessage(role: "tool", content: "14:05", toolCallId: "call_1"),
        ChatMessage(
            role: "assistant",
            content: "It is 21 °C and sunny.",
            toolCalls: [
                ToolCall(id: "call_0", name: "get_time", arguments: .object(["tz": .string("UTC")]))
            ]
        ),
        ChatMessage(role: "tool", content: "[1, 2]", toolCallId: "call_0"),
        ChatMessage(role: "user", content: "Thanks"),
    ]

    @Test func mapsConversationToolsAndSystem() throws {
        let (http, body) = try send(
            ChatRequest(
                messages: Self.conversation,
                model: "gemini-2.5-flash",
                maxTokens: 256,
                temperature: 0.5,
                tools: Self.tools,
                toolChoice: .auto
            )
        )
        #expect(http.method == "POST")
        #expect(http.timeouts == TransferTimeouts(connect: .seconds(2), total: .seconds(30)))
        let expected = try parseJSON(
            #"""
            {
              "contents": [
                {"role": "user", "parts": [{"text": "Wie ist das Wetter in Zürich? 🌦"}]},
                {"role": "model", "parts": [
                  {"functionCall": {"name": "get_weather", "args": {"city": "Zürich"}}},
                  {"functionCall": {"name": "get_time", "args": {}}}]},
                {"role": "user", "parts": [
                  {"functionResponse": {"name": "get_weather", "response": {"content": {"temp_c": 21, "sky": "sunny"}}}},
                  {"functionResponse": {"name": "get_time", "response": {"content": {"result": "14:05"}}}}]},
                {"role": "model", "parts": [
                  {"text": "It is 21 °C and sunny."},
                  {"functionCall": {"name": "get_time", "args": {"tz": "UTC"}}}]},
                {"role": "user", "parts": [
                  {"functionResponse": {"name": "get_time", "response": {"content": {"result": "[1, 2]"}}}}]},
                {"role": "user", "parts": [{"text": "Thanks"}]}
              ],
              "systemInstruction": {"parts": [{"text": "Be brief.\n\nAnswer in English."}]},
              "generationConfig": {"temperature": 0.5, "maxOutputTokens": 256},
              "tools": [{"functionDeclarations": [
                {"name": "get_weather", "description": "Weather for a city",
                 "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
                {"name": "get_time"}]}],
              "toolConfig": {"functionCallingConfig": {"mode": "AUTO"}}
            }
            """#
        )
        #expect(body == expected)
    }

    @Test func minimalRequestHasOnlyContents() throws {
        let (_, body) = try send(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "hi")],
                model: "m",
                maxTokens: nil,
                temperature: nil,
                toolChoice: .required
            )
        )
        #expect(body == (try parseJSON(#"{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}"#)))
    }

    @Test(arguments: [
        (ToolChoice?.none, nil),
        (ToolChoice.auto, #"{"functionCallingConfig": {"mode": "AUTO"}}"#),
        (ToolChoice.none, #"{"functionCallingConfig": {"mode": "NONE"}}"#),
        (ToolChoice.required, #"{"functionCallingConfig": {"mode": "ANY"}}"#),
        (
            ToolChoice.tool("get_time"),
            #"{"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_time"]}}"#
        ),
    ])
    func toolChoiceMapping(_ choice: ToolChoice?, _ expected: String?) throws {
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
        #expect(body["toolConfig"] == (try expected.map(parseJSON)))
    }

    @Test func schemaUsesNativeJSONMode() throws {
        let schema = JSONValue.object([
            "type": .string("object"), "properties": .object(["n": .object(["type": .string("integer")])]),
        ])
        let (_, body) = try send(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "n?")],
                model: "m",
                maxTokens: nil,
                temperature: nil,
                schema: schema
            )
        )
        #expect(
            body["generationConfig"]
                == .object(["responseMimeType": .string("application/json"), "responseJsonSchema": schema])
        )
    }

    @Test func toolResultWithoutMatchingCallIsInvalidParams() throws {
        let messages = [
            ChatMessage(role: "user", content: "hi"),
            ChatMessage(
                role: "assistant",
                content: "",
                toolCalls: [ToolCall(id: "a", name: "f", arguments: .object([:]))]
            ),
            ChatMessage(role: "tool", content: "x", toolCallId: "b"),
        ]
        let error = #expect(throws: RPCError.self) {
            try GeminiAdapter(endpoint: endpoint()).httpRequest(
                for: ChatRequest(messages: messages, model: "m", maxTokens: nil, temperature: nil),
                timeouts: TransferTimeouts()
            )
        }
        #expect(error?.type == .invalidParams)
        #expect(error?.message.contains("messages[2]") == true)
    }

    @Test func apiKeyTravelsOnlyInHeader() throws {
        let (http, _) = try send(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "hi")],
                model: "gemini-2.5-flash",
                maxTokens: nil,
                temperature: nil
            ),
            endpoint: endpoint(headers: [HTTPHeader("x-goog-user-project", "proj-1")])
        )
        #expect(
            http.url
                == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        )
        #expect(!http.url.contains(Self.key))
        #expect(!http.url.contains("key="))
        #expect(http.headers.first(named: "x-goog-api-key") == Self.key)
        #expect(http.headers.filter { $0.value.contains(Self.key) }.count == 1)
        #expect(http.headers.first(named: "authorization") == nil)
        #expect(http.headers.first(named: "content-type") == "application/json")
        #expect(http.headers.first(named: "x-goog-user-project") == "proj-1")
    }

    @Test func noKeyHeaderWithoutKey() throws {
        let (http, _) = try send(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "hi")],
                model: "m",
                maxTokens: nil,
                temperature: nil
            ),
            endpoint: endpoint(key: nil)
        )
        #expect(http.headers.first(named: "x-goog-api-key") == nil)
    }

    @Test(arguments: [
        ("gemini-2.5-pro", "gemini-2.5-pro"),
        ("models/gemini-2.0-flash-001", "gemini-2.0-flash-001"),
        ("tuned:v1.0", "tuned%3Av1.0"),
        ("gémini 1", "g%C3%A9mini%201"),
    ])
    func modelIsOneEscapedPathSegment(_ model: String, _ segment: String) throws {
        let (http, _) = try send(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "hi")],
                model: model,
                maxTokens: nil,
                temperature: nil
            ),
            endpoint: endpoint(baseURL: "http://127.0.0.1:9/v1beta")
        )
        #expect(http.url == "http://127.0.0.1:9/v1beta/models/\(segment):streamGenerateContent?alt=sse")
    }
}

// MARK: - Errors

@Suite struct GeminiErrorMappingTests {
    struct StatusCase: Sendable, CustomTestStringConvertible {
        var name: String
        var status: Int
        var headers: [HTTPHeader] = []
        var body: String
        var type: ErrorType
        var retryable: Bool
        var retryAfterMs: Int? = nil
        var testDescription: String { name }
    }

    private static func rpc(_ code: Int, _ status: String, _ message: String, details: String = "[]") -> String {
        #"{"error": {"code": \#(code), "message": "\#(message)", "status": "\#(status)", "details": \#(details)}}"#
    }

    private static let badKey = rpc(
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        details: #"""
            [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
              "metadata": {"service": "generativelanguage.googleapis.com"}},
             {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": "API key not valid. Please pass a valid API key."}]
            """#
    )

    private static func quota(_ delay: String) -> String {
        rpc(
            429,
            "RESOURCE_EXHAUSTED",
            "You exceeded your current quota, please check your plan and billing details.",
            details: #"""
                [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                  "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "quotaValue": "10"}]},
                 {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Learn more", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                 {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "\#(delay)"}]
                """#
        )
    }

    static let cases: [StatusCase] = [
        StatusCase(name: "bad key", status: 400, body: badKey, type: .upstreamAuth, retryable: false),
        StatusCase(
            name: "bad argument",
            status: 400,
            body: rpc(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(
            name: "region",
            status: 400,
            body: rpc(400, "FAILED_PRECONDITION", "User location is not supported for the API use."),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(
            name: "no key",
            status: 403,
            body: rpc(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers."),
            type: .upstreamAuth,
            retryable: false
        ),
        StatusCase(
            name: "bad token",
            status: 401,
            body: rpc(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."),
            type: .upstreamAuth,
            retryable: false
        ),
        StatusCase(
            name: "quota 13s",
            status: 429,
            body: quota("13s"),
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 13000
        ),
        StatusCase(
            name: "quota 1.5s",
            status: 429,
            body: quota("1.5s"),
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 1500
        ),
        StatusCase(
            name: "quota in array",
            status: 429,
            body: "[" + quota("2s") + "]",
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 2000
        ),
        StatusCase(
            name: "quota header fallback",
            status: 429,
            headers: [HTTPHeader("Retry-After", "7")],
            body: rpc(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
            type: .rateLimited,
            retryable: true,
            retryAfterMs: 7000
        ),
        StatusCase(name: "quota bad delay", status: 429, body: quota("soon"), type: .rateLimited, retryable: true),
        StatusCase(
            name: "not found",
            status: 404,
            body: rpc(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta."),
            type: .upstreamInvalidRequest,
            retryable: false
        ),
        StatusCase(
            name: "internal",
            status: 500,
            body: rpc(500, "INTERNAL", "An internal error has occurred."),
            type: .upstreamError,
            retryable: true
        ),
        StatusCase(
            name: "overloaded",
            status: 503,
            body: rpc(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
            type: .upstreamError,
            retryable: true
        ),
        StatusCase(
            name: "deadline",
            status: 504,
            body: rpc(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
            type: .upstreamError,
            retryable: true
        ),
        StatusCase(
            name: "html gateway",
            status: 502,
            body: "<html>Bad Gateway</html>",
            type: .upstreamError,
            retryable: true
        ),
    ]

    private let adapter = GeminiAdapter(
        endpoint: ProviderEndpoint(
            name: "gemini",
            type: .openaiCompatible,
            baseURL: "https://generativelanguage.googleapis.com/v1beta",
            apiKey: Secret("AIzaSyD-secret-value-0000"),
            defaultModel: nil
        )
    )

    @Test(arguments: cases)
    func mapsStatus(_ c: StatusCase) throws {
        let error = adapter.error(status: c.status, headers: c.headers, body: Array(c.body.utf8))
        #expect(error.type == c.type)
        #expect(error.code == c.type.code)
        #expect(error.data.retryable == c.retryable)
        #expect(error.data.retryAfterMs == c.retryAfterMs)
        #expect(error.data.upstreamStatus == c.status)
        #expect(error.data.provider == "gemini")
        #expect(error.message.hasPrefix("gemini: "))
        #expect(error.message.contains("HTTP \(c.status)"))
        if let message = try? parseJSON(c.body)["error"]?["message"]?.stringValue {
            #expect(error.message.contains(message))
        }
    }

    @Test func messageIsScrubbedOfKeys() {
        let body = Self.rpc(400, "INVALID_ARGUMENT", "API key AIzaSyD-secret-value-0000 or key-abcdef1234567890 is bad")
        let error = adapter.error(status: 400, headers: [], body: Array(body.utf8))
        #expect(!error.message.contains("AIzaSyD-secret-value-0000"))
        #expect(!error.message.contains("abcdef1234567890"))
        #expect(error.message.contains("HTTP 400 INVALID_ARGUMENT"))
    }

    @Test func oddStatusNamesAreNotEchoed() {
        let body = Self.rpc(400, "<script>", "nope")
        #expect(
            adapter.error(status: 400, headers: [], body: Array(body.utf8)).message
                == "gemini: provider rejected the request (HTTP 400): nope"
        )
    }

    @Test func hugeRetryDelayIsCapped() {
        let error = adapter.error(status: 429, headers: [], body: Array(Self.quota("1e300s").utf8))
        #expect(error.data.retryAfterMs == HTTPErrorMapping.maxRetryAfterMs)
    }
}
