import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

private let fixedDate = Date(timeIntervalSince1970: 1_440_938_160)
private let credentials = AWSCredentials(
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
)

private func endpoint(
    baseURL: String = "",
    options: [String: String] = ["region": "us-east-1"],
    credentials: AWSCredentials? = credentials,
    key: String? = nil
) -> ProviderEndpoint {
    ProviderEndpoint(
        name: "bedrock",
        type: .bedrock,
        baseURL: baseURL,
        apiKey: key.map(Secret.init),
        defaultModel: nil,
        options: options,
        awsCredentials: credentials
    )
}

private func request(
    _ chat: ChatRequest,
    _ endpoint: ProviderEndpoint = endpoint()
) throws -> (HTTPRequest, [String: Any]) {
    let http = try BedrockAdapter(endpoint: endpoint, clock: { fixedDate }).httpRequest(
        for: chat,
        timeouts: TransferTimeouts()
    )
    let body = try #require(http.body)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    return (http, json)
}

private let model = "anthropic.claude-3-5-haiku-20241022-v1:0"

@Suite struct BedrockAdapterTests {
    @Test func urlHeadersAndSignature() throws {
        let (http, json) = try request(
            ChatRequest(
                messages: [ChatMessage(role: "user", content: "hi")],
                model: model,
                maxTokens: 100,
                temperature: 0.5
            )
        )
        #expect(http.method == "POST")
        #expect(
            http.url
                == "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream"
        )
        #expect(http.headers.first(named: "content-type") == "application/json")
        #expect(http.headers.first(named: "x-amz-date") == "20150830T123600Z")
        let authorization = try #require(http.headers.first(named: "authorization"))
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
                    + "SignedHeaders=accept;content-type;host;x-amz-date, Signature="
            )
        )
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(try #require(http.body)))
        #expect(
            value.objectValue?["messages"]
                == .array([.object(["role": .string("user"), "content": .array([.object(["text": .string("hi")])])])])
        )
        #expect(
            value.objectValue?["inferenceConfig"] == .object(["maxTokens": .number(100), "temperature": .number(0.5)])
        )
        #expect(json["toolConfig"] == nil && json["system"] == nil && json["model"] == nil)
    }

    @Test func baseURLOverrideBearerKeyAndMissingSettings() throws {
        let chat = ChatRequest(
            messages: [ChatMessage(role: "user", content: "hi")],
            model: "m",
            maxTokens: nil,
            temperature: nil
        )
        let (http, json) = try request(chat, endpoint(baseURL: "http://127.0.0.1:9/", credentials: nil, key: "ABSKkey"))
        #expect(http.url == "http://127.0.0.1:9/model/m/converse-stream")
        #expect(http.headers.first(named: "authorization") == "Bearer ABSKkey")
        #expect(json["inferenceConfig"] == nil)
        #expect(throws: RPCError.self) { try request(chat, endpoint(credentials: nil)) }
        #expect(throws: RPCError.self) { try request(chat, endpoint(options: [:])) }
        #expect(throws: RPCError.self) { try request(chat, endpoint(options: ["region": "evil.com/"])) }
    }

    @Test func conversationToolsAndSystem() throws {
        let call = ToolCall(id: "t1", name: "get_weather", arguments: .object(["city": .string("Paris")]))
        let chat = ChatRequest(
            messages: [
                ChatMessage(role: "system", content: "be brief"),
                ChatMessage(role: "user", content: "weather?"),
                ChatMessage(role: "user", content: "in Paris"),
                ChatMessage(role: "assistant", content: "", toolCalls: [call]),
                ChatMessage(role: "tool", content: "sunny", toolCallId: "t1"),
                ChatMessage(role: "user", content: "thanks"),
            ],
            model: model,
            maxTokens: nil,
            temperature: nil,
            tools: [
                ToolDefinition(
                    name: "get_weather",
                    description: "Weather",
                    parameters: .object(["type": .string("object")])
                )
            ],
            toolChoice: .tool("get_weather")
        )
        let (_, json) = try request(chat)
        #expect(json["system"] as? [[String: String]] == [["text": "be brief"]])
        let messages = try #require(json["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "user"])
        #expect(messages[0]["content"] as? [[String: String]] == [["text": "weather?"], ["text": "in Paris"]])
        let toolUse = try #require((messages[1]["content"] as? [[String: Any]])?.first?["toolUse"] as? [String: Any])
        #expect(toolUse["toolUseId"] as? String == "t1" && toolUse["name"] as? String == "get_weather")
        #expect(toolUse["input"] as? [String: String] == ["city": "Paris"])
        let last = try #require(messages[2]["content"] as? [[String: Any]])
        let result = try #require(last.first?["toolResult"] as? [String: Any])
        #expect(result["toolUseId"] as? String == "t1")
        #expect(result["content"] as? [[String: String]] == [["text": "sunny"]])
        #expect(last.last?["text"] as? String == "thanks")
        let toolConfig = try #require(json["toolConfig"] as? [String: Any])
        let spec = try #require((toolConfig["tools"] as? [[String: Any]])?.first?["toolSpec"] as? [String: Any])
        #expect(spec["name"] as? String == "get_weather" && spec["description"] as? String == "Weather")
        #expect((spec["inputSchema"] as? [String: Any])?["json"] as? [String: String] == ["type": "object"])
        #expect(toolConfig["toolChoice"] as? [String: [String: String]] == ["tool": ["name": "get_weather"]])
    }

    @Test(
        arguments: [(ToolChoice?.none, nil), (.auto, "auto"), (.required, "any"), (ToolChoice.none, "omitted")]
            as [(ToolChoice?, String?)]
    )
    func toolChoices(_ choice: ToolChoice?, _ expected: String?) throws {
        let chat = ChatRequest(
            messages: [ChatMessage(role: "user", content: "x")],
            model: "m",
            maxTokens: nil,
            temperature: nil,
            tools: [ToolDefinition(name: "f")],
            toolChoice: choice
        )
        let (_, json) = try request(chat)
        let toolConfig = json["toolConfig"] as? [String: Any]
        if expected == "omitted" {
            #expect(toolConfig == nil)
        } else if let expected {
            #expect((toolConfig?["toolChoice"] as? [String: Any])?.keys.first == expected)
        } else {
            #expect(toolConfig != nil && toolConfig?["toolChoice"] == nil)
        }
    }

    @Test func schemaBecomesASystemInstruction() throws {
        let chat = ChatRequest(
            messages: [ChatMessage(role: "user", content: "who?")],
            model: "m",
            maxTokens: nil,
            temperature: nil,
            schema: .object(["type": .string("object")])
        )
        let (_, json) = try request(chat)
        let system = try #require((json["system"] as? [[String: String]])?.first?["text"])
        #expect(system.contains("JSON") && system.contains(#"{"type":"object"}"#))
    }

    @Test func httpErrors() {
        let adapter = BedrockAdapter(endpoint: endpoint())
        func error(_ status: Int, _ name: String?) -> RPCError {
            adapter.error(
                status: status,
                headers: name.map {
                    [HTTPHeader("x-amzn-ErrorType", "\($0):http://internal.amazon.com/coral/com.amazon.bedrock/")]
                } ?? [],
                body: Array(#"{"message":"Too many requests, please wait before trying again."}"#.utf8)
            )
        }
        let throttled = error(429, "ThrottlingException")
        #expect(throttled.type == .rateLimited && throttled.data.retryable == true)
        #expect(throttled.message.contains("Too many requests"))
        #expect(error(400, "ValidationException").type == .upstreamInvalidRequest)
        #expect(error(403, "UnrecognizedClientException").type == .upstreamAuth)
        #expect(error(403, nil).type == .upstreamAuth)
        #expect(error(503, "ServiceUnavailableException").data.retryable == true)
        #expect(error(500, "InternalServerException").type == .upstreamError)
        #expect(error(502, "SomethingNew").type == .upstreamError, "unknown names fall back to the status")
    }
}

@Suite struct BedrockDecoderTests {
    typealias Encoder = EventStreamTestEncoder

    static func decode(_ frames: [[UInt8]], splitEvery: Int = 1 << 20) throws(RPCError) -> [ProviderEvent] {
        var decoder = BedrockStreamDecoder(provider: "bedrock")
        var events: [ProviderEvent] = []
        let bytes = frames.flatMap { $0 }
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + splitEvery, bytes.count)
            try decoder.decode(Array(bytes[offset..<end]), into: &events)
            offset = end
        }
        try decoder.finish(into: &events)
        return events
    }

    static let textAndTool: [[UInt8]] = [
        Encoder.event("messageStart", #"{"role":"assistant","p":"abc"}"#),
        Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"hmm"}}}"#),
        Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"Let me "}}"#),
        Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"check."}}"#),
        Encoder.event("contentBlockStop", #"{"contentBlockIndex":0}"#),
        Encoder.event(
            "contentBlockStart",
            #"{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather"}}}"#
        ),
        Encoder.event("contentBlockDelta", #"{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}"#),
        Encoder.event("contentBlockDelta", #"{"contentBlockIndex":1,"delta":{"toolUse":{"input":" \"Paris\"}"}}}"#),
        Encoder.event("contentBlockStop", #"{"contentBlockIndex":1}"#),
        Encoder.event("messageStop", #"{"stopReason":"tool_use"}"#),
        Encoder.event(
            "metadata",
            #"{"usage":{"inputTokens":10,"outputTokens":5,"totalTokens":19,"cacheReadInputTokens":4},"metrics":{"latencyMs":1}}"#
        ),
    ]

    @Test(arguments: [1, 7, 1 << 20])
    func textReasoningToolCallFinishAndUsage(_ splitEvery: Int) throws {
        let events = try Self.decode(Self.textAndTool, splitEvery: splitEvery)
        #expect(
            events == [
                .reasoning("hmm"), .text("Let me "), .text("check."),
                .toolCall(
                    ToolCall(id: "tooluse_1", name: "get_weather", arguments: .object(["city": .string("Paris")]))
                ),
                .finish(.toolCalls),
                .usage(Usage(inputTokens: 14, outputTokens: 5, totalTokens: 19, cachedInputTokens: 4)),
            ]
        )
    }

    @Test(arguments: [
        ("end_turn", FinishReason.stop), ("stop_sequence", .stop), ("max_tokens", .length), ("tool_use", .toolCalls),
        ("content_filtered", .contentFilter), ("guardrail_intervened", .contentFilter),
    ])
    func stopReasons(_ raw: String, _ expected: FinishReason) throws {
        let events = try Self.decode([
            Encoder.event("messageStop", "{\"stopReason\":\"\(raw)\"}"),
            Encoder.event("metadata", #"{"usage":{"inputTokens":1,"outputTokens":2}}"#),
        ])
        #expect(events == [.finish(expected), .usage(Usage(inputTokens: 1, outputTokens: 2))])
    }

    @Test func missingMetadataStillSucceedsWithoutUsage() throws {
        let events = try Self.decode([
            Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"x"}}"#),
            Encoder.event("messageStop", #"{"stopReason":"end_turn"}"#),
        ])
        #expect(events == [.text("x"), .finish(.stop)])
    }

    @Test func missingMessageStopIsRetryable() {
        do {
            _ = try Self.decode([Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"x"}}"#)])
            Issue.record("must throw")
        } catch {
            #expect(error.type == .upstreamError && error.data.retryable == true)
        }
    }

    @Test(arguments: [
        ("throttlingException", ErrorType.rateLimited, true), ("serviceUnavailableException", .upstreamError, true),
        ("internalServerException", .upstreamError, true), ("modelStreamErrorException", .upstreamError, true),
        ("validationException", .upstreamInvalidRequest, false), ("accessDeniedException", .upstreamAuth, false),
    ])
    func exceptions(_ name: String, _ type: ErrorType, _ retryable: Bool) {
        do {
            _ = try Self.decode([
                Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"x"}}"#),
                Encoder.exception(name, "boom"),
            ])
            Issue.record("must throw")
        } catch {
            #expect(error.type == type && error.data.retryable == retryable, "\(name)")
            #expect(error.message.contains("boom"))
        }
    }

    @Test func corruptFramingIsABadResponse() {
        var frame = Encoder.event("messageStop", #"{"stopReason":"end_turn"}"#)
        frame[frame.count - 1] ^= 0xFF
        do {
            _ = try Self.decode([frame])
            Issue.record("must throw")
        } catch {
            #expect(error.type == .upstreamBadResponse)
        }
    }

    @Test func badToolInputIsABadResponse() {
        let frames = [
            Encoder.event(
                "contentBlockStart",
                #"{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t","name":"f"}}}"#
            ),
            Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"toolUse":{"input":"[1"}}}"#),
            Encoder.event("contentBlockStop", #"{"contentBlockIndex":0}"#),
        ]
        #expect(throws: RPCError.self) { try Self.decode(frames) }
    }

    @Test func emptyToolInputIsAnEmptyObjectAndLaterEventsAreIgnored() throws {
        let events = try Self.decode([
            Encoder.event(
                "contentBlockStart",
                #"{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t","name":"f"}}}"#
            ),
            Encoder.event("messageStop", #"{"stopReason":"tool_use"}"#),
            Encoder.event("metadata", #"{"usage":{"inputTokens":1,"outputTokens":1}}"#),
            Encoder.event("contentBlockDelta", #"{"contentBlockIndex":0,"delta":{"text":"late"}}"#),
        ])
        #expect(
            events == [
                .toolCall(ToolCall(id: "t", name: "f", arguments: .object([:]))), .finish(.toolCalls),
                .usage(Usage(inputTokens: 1, outputTokens: 1)),
            ]
        )
    }
}
