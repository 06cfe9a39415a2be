import Foundation
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

/// A Messages API stream as Anthropic sends it: text with non-ASCII, then a tool call whose input
/// arrives in fragments split mid-token (the first one empty), pings, and the closing events.
let recordedAnthropicStream = """
    event: message_start
    data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":128,"output_tokens":2}}}

    event: content_block_start
    data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

    event: ping
    data: {"type": "ping"}

    event: content_block_delta
    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking the wéather"}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" in 東京 🌧️…\\n\\"now\\""}}

    event: content_block_stop
    data: {"type":"content_block_stop","index":0}

    event: content_block_start
    data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"loc"}}

    event: ping
    data: {"type": "ping"}

    event: content_block_delta
    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ation\\": \\"Tō"}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"kyo\\", \\"days\\": 3, \\"unit\\": \\"cel"}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"sius\\"}"}}

    event: content_block_stop
    data: {"type":"content_block_stop","index":1}

    event: message_delta
    data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

    event: message_stop
    data: {"type":"message_stop"}


    """

/// Decodes `pieces` with a fresh decoder, then finishes it.
private func decode(_ pieces: [[UInt8]]) throws(RPCError) -> [ProviderEvent] {
    var decoder = AnthropicStreamDecoder(provider: "claude")
    var events: [ProviderEvent] = []
    for piece in pieces { try decoder.decode(piece, into: &events) }
    try decoder.finish(into: &events)
    return events
}

private func decode(_ body: String) throws(RPCError) -> [ProviderEvent] {
    try decode([Array(body.utf8)])
}

/// One SSE event whose `event:` name is the JSON's `type`, as Anthropic sends them.
private func sse(_ json: String) -> String {
    let type =
        (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["type"] as? String ?? "unknown"
    return "event: \(type)\ndata: \(json)\n\n"
}

private let messageStart = sse(
    #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":1}}}"#
)
private let messageStop = sse(#"{"type":"message_stop"}"#)

private func blockStart(_ index: Int, _ block: String) -> String {
    sse(#"{"type":"content_block_start","index":\#(index),"content_block":\#(block)}"#)
}

private func blockDelta(_ index: Int, _ delta: String) -> String {
    sse(#"{"type":"content_block_delta","index":\#(index),"delta":\#(delta)}"#)
}

private func blockStop(_ index: Int) -> String {
    sse(#"{"type":"content_block_stop","index":\#(index)}"#)
}

private func messageDelta(_ stopReason: String, outputTokens: Int = 5) -> String {
    sse(
        #"{"type":"message_delta","delta":{"stop_reason":"\#(stopReason)","stop_sequence":null},"usage":{"output_tokens":\#(outputTokens)}}"#
    )
}

private func textBlock(_ index: Int, _ pieces: [String]) -> String {
    blockStart(index, #"{"type":"text","text":""}"#)
        + pieces.map { blockDelta(index, #"{"type":"text_delta","text":"\#($0)"}"#) }.joined()
        + blockStop(index)
}

private func toolBlock(_ index: Int, id: String, name: String, fragments: [String]) -> String {
    blockStart(index, #"{"type":"tool_use","id":"\#(id)","name":"\#(name)","input":{}}"#)
        + fragments.map { fragment in
            let escaped = fragment.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            return blockDelta(index, #"{"type":"input_json_delta","partial_json":"\#(escaped)"}"#)
        }.joined()
        + blockStop(index)
}

private func inStreamError(_ type: String, _ message: String) -> String {
    "event: error\ndata: " + #"{"type":"error","error":{"type":"\#(type)","message":"\#(message)"}}"# + "\n\n"
}

@Suite struct AnthropicDecoderTests {
    static let expectedRecordedEvents: [ProviderEvent] = [
        .model("claude-sonnet-4-5-20250929"),
        .text("Checking the wéather"), .text(" in 東京 🌧️…\n\"now\""),
        .toolCall(
            ToolCall(
                id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                name: "get_weather",
                arguments: .object(["location": .string("Tōkyo"), "days": .number(3), "unit": .string("celsius")])
            )
        ),
        .finish(.toolCalls),
        .usage(Usage(inputTokens: 600, outputTokens: 89, totalTokens: 689, cachedInputTokens: 128)),
    ]

    @Test func decodesRecordedStream() throws {
        #expect(try decode(recordedAnthropicStream) == Self.expectedRecordedEvents)
    }

    @Test(arguments: ["LF", "CRLF", "CR"])
    func recordedStreamSplitAtEveryByte(_ variant: String) throws {
        let terminator = ["LF": "\n", "CRLF": "\r\n", "CR": "\r"][variant] ?? "\n"
        let bytes = Array(recordedAnthropicStream.replacing("\n", with: terminator).utf8)
        for i in SplitPoints.forRecording(bytes, lineEndings: variant) {
            let events = try decode([Array(bytes[..<i]), Array(bytes[i...])])
            #expect(events == Self.expectedRecordedEvents, "split at \(i)")
        }
        #expect(try decode(bytes.map { [$0] }) == Self.expectedRecordedEvents, "byte by byte")
    }

    @Test func textOnlyAnswer() throws {
        let events = try decode(messageStart + textBlock(0, ["Hel", "lo"]) + messageDelta("end_turn") + messageStop)
        #expect(
            events == [
                .model("claude-haiku-4-5"), .text("Hel"), .text("lo"), .finish(.stop),
                .usage(Usage(inputTokens: 10, outputTokens: 5)),
            ]
        )
    }

    @Test func thinkingBecomesReasoning() throws {
        let body =
            messageStart
            + blockStart(0, #"{"type":"thinking","thinking":"","signature":""}"#)
            + blockDelta(0, #"{"type":"thinking_delta","thinking":"Let me think"}"#)
            + blockDelta(0, #"{"type":"thinking_delta","thinking":" step by step."}"#)
            + blockDelta(
                0,
                #"{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}"#
            )
            + blockStop(0)
            + blockStart(1, #"{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"}"#) + blockStop(1)
            + textBlock(2, ["42"])
            + messageDelta("end_turn") + messageStop
        let events = try decode(body)
        #expect(
            events == [
                .model("claude-haiku-4-5"), .reasoning("Let me think"), .reasoning(" step by step."), .text("42"),
                .finish(.stop), .usage(Usage(inputTokens: 10, outputTokens: 5)),
            ]
        )
    }

    @Test(arguments: [
        ("end_turn", FinishReason.stop), ("stop_sequence", .stop), ("pause_turn", .stop), ("max_tokens", .length),
        ("model_context_window_exceeded", .length), ("tool_use", .toolCalls), ("refusal", .contentFilter),
        ("something_new", FinishReason(rawValue: "something_new")),
    ])
    func stopReasonMapping(_ raw: String, _ expected: FinishReason) throws {
        let events = try decode(messageStart + messageDelta(raw) + messageStop)
        #expect(
            events == [.model("claude-haiku-4-5"), .finish(expected), .usage(Usage(inputTokens: 10, outputTokens: 5))]
        )
    }

    @Test func finishAndUsageComeOnceAtMessageStop() throws {
        var decoder = AnthropicStreamDecoder(provider: "claude")
        var events: [ProviderEvent] = []
        try decoder.decode(
            Array((messageStart + textBlock(0, ["a"]) + messageDelta("end_turn", outputTokens: 3)).utf8),
            into: &events
        )
        #expect(events == [.model("claude-haiku-4-5"), .text("a")], "message_delta only records")
        try decoder.decode(Array((messageDelta("max_tokens", outputTokens: 7) + messageStop).utf8), into: &events)
        try decoder.finish(into: &events)
        #expect(
            events == [
                .model("claude-haiku-4-5"), .text("a"), .finish(.length),
                .usage(Usage(inputTokens: 10, outputTokens: 7)),
            ]
        )
    }

    @Test func usageFieldsInMessageDeltaReplaceEarlierOnes() throws {
        let start = sse(
            #"{"type":"message_start","message":{"model":"m","usage":{"input_tokens":10,"cache_creation_input_tokens":5,"output_tokens":1}}}"#
        )
        let delta = sse(
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":12,"cache_read_input_tokens":3,"output_tokens":40}}"#
        )
        let events = try decode(start + delta + messageStop)
        #expect(events.last == .usage(Usage(inputTokens: 20, outputTokens: 40, cachedInputTokens: 3)))
    }

    @Test func messageStopWithoutMessageDeltaReportsNoFinish() throws {
        #expect(
            try decode(messageStart + messageStop) == [
                .model("claude-haiku-4-5"), .usage(Usage(inputTokens: 10, outputTokens: 1)),
            ]
        )
    }

    @Test func emptyModelAndMissingUsageAreNotReported() throws {
        let start = sse(#"{"type":"message_start","message":{"model":""}}"#)
        #expect(try decode(start + textBlock(0, ["x"]) + messageStop) == [.text("x")])
    }

    struct ToolCase: Sendable, CustomTestStringConvertible {
        var fragments: [String]
        var arguments: JSONValue
        var testDescription: String { fragments.debugDescription }
    }

    @Test(arguments: [
        ToolCase(fragments: [], arguments: .object([:])),
        ToolCase(fragments: [""], arguments: .object([:])),
        ToolCase(fragments: ["", "", ""], arguments: .object([:])),
        ToolCase(fragments: ["{}"], arguments: .object([:])),
        ToolCase(
            fragments: ["", "{\"q\":", " \"a\\\"b\"", ", \"n\": [1, ", "2]}"],
            arguments: .object(["q": .string("a\"b"), "n": .array([.number(1), .number(2)])])
        ),
    ])
    func toolInputAssembly(_ c: ToolCase) throws {
        let events = try decode(
            messageStart + toolBlock(0, id: "toolu_1", name: "search", fragments: c.fragments)
                + messageDelta("tool_use") + messageStop
        )
        #expect(events.contains(.toolCall(ToolCall(id: "toolu_1", name: "search", arguments: c.arguments))))
    }

    @Test func interleavedToolBlocksAreReportedWhenEachStops() throws {
        let body =
            messageStart
            + blockStart(1, #"{"type":"tool_use","id":"toolu_a","name":"a","input":{}}"#)
            + blockStart(2, #"{"type":"tool_use","id":"toolu_b","name":"b","input":{}}"#)
            + blockDelta(2, #"{"type":"input_json_delta","partial_json":"{\"y\":"}"#)
            + blockDelta(1, #"{"type":"input_json_delta","partial_json":"{\"x\":1}"}"#)
            + blockDelta(2, #"{"type":"input_json_delta","partial_json":"2}"}"#)
            + blockStop(2) + blockStop(1)
            + messageDelta("tool_use") + messageStop
        let calls = try decode(body).compactMap { event -> ToolCall? in
            if case .toolCall(let call) = event { return call }
            return nil
        }
        #expect(
            calls == [
                ToolCall(id: "toolu_b", name: "b", arguments: .object(["y": .number(2)])),
                ToolCall(id: "toolu_a", name: "a", arguments: .object(["x": .number(1)])),
            ]
        )
    }

    @Test func unclosedToolBlockIsReportedAtMessageStop() throws {
        let body =
            messageStart + blockStart(0, #"{"type":"tool_use","id":"toolu_1","name":"f","input":{}}"#)
            + blockDelta(0, #"{"type":"input_json_delta","partial_json":"{\"k\":true}"}"#)
            + messageDelta("tool_use") + messageStop
        #expect(
            try decode(body) == [
                .model("claude-haiku-4-5"),
                .toolCall(ToolCall(id: "toolu_1", name: "f", arguments: .object(["k": .bool(true)]))),
                .finish(.toolCalls), .usage(Usage(inputTokens: 10, outputTokens: 5)),
            ]
        )
    }

    @Test func serverToolInputIsNotAClientToolCall() throws {
        let body =
            messageStart
            + blockStart(0, #"{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}"#)
            + blockDelta(0, #"{"type":"input_json_delta","partial_json":"{\"query\":\"x\"}"}"#)
            + blockStop(0)
            + blockStart(1, #"{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]}"#)
            + blockStop(1)
            + textBlock(2, ["found"]) + messageDelta("end_turn") + messageStop
        #expect(
            try decode(body) == [
                .model("claude-haiku-4-5"), .text("found"), .finish(.stop),
                .usage(Usage(inputTokens: 10, outputTokens: 5)),
            ]
        )
    }

    @Test(arguments: ["[1, 2]", "\"text\"", "42", "null"])
    func nonObjectToolInputThrowsBadResponse(_ input: String) {
        let body = messageStart + toolBlock(0, id: "toolu_1", name: "f", fragments: [input]) + messageStop
        let error = #expect(throws: RPCError.self) { try decode(body) }
        #expect(error?.type == .upstreamBadResponse)
        #expect(error?.data.provider == "claude")
    }

    @Test(arguments: ["{\"a\":", "{\"a\" 1}", "{'a': 1}"])
    func unparsableToolInputThrowsBadResponse(_ input: String) {
        let body = messageStart + toolBlock(0, id: "toolu_1", name: "f", fragments: [input]) + messageStop
        let error = #expect(throws: RPCError.self) { try decode(body) }
        #expect(error?.type == .upstreamBadResponse)
    }

    @Test func pingsAndUnknownEventsAreIgnored() throws {
        let body =
            sse(#"{"type":"ping"}"#) + messageStart + sse(#"{"type":"ping"}"#)
            + sse(#"{"type":"brand_new_event","index":"not a number","whatever":[1,2]}"#)
            + ": a comment\n\n"
            + blockDelta(0, #"{"type":"citations_delta","citation":{"type":"char_location"}}"#)
            + textBlock(0, ["x"]) + messageDelta("end_turn") + messageStop
        #expect(
            try decode(body) == [
                .model("claude-haiku-4-5"), .text("x"), .finish(.stop),
                .usage(Usage(inputTokens: 10, outputTokens: 5)),
            ]
        )
    }

    @Test func eventsAfterMessageStopAreIgnored() throws {
        let body =
            messageStart + textBlock(0, ["x"]) + messageStop + textBlock(1, ["late"]) + "data: not json\n\n"
            + inStreamError("overloaded_error", "Overloaded")
        #expect(
            try decode(body) == [
                .model("claude-haiku-4-5"), .text("x"), .usage(Usage(inputTokens: 10, outputTokens: 1)),
            ]
        )
    }

    struct InStreamErrorCase: Sendable, CustomTestStringConvertible {
        var errorType: String
        var type: ErrorType
        var retryable: Bool
        var testDescription: String { errorType }
    }

    @Test(arguments: [
        InStreamErrorCase(errorType: "overloaded_error", type: .upstreamError, retryable: true),
        InStreamErrorCase(errorType: "api_error", type: .upstreamError, retryable: true),
        InStreamErrorCase(errorType: "rate_limit_error", type: .rateLimited, retryable: true),
        InStreamErrorCase(errorType: "invalid_request_error", type: .upstreamError, retryable: false),
        InStreamErrorCase(errorType: "permission_error", type: .upstreamError, retryable: false),
        InStreamErrorCase(errorType: "some_future_error", type: .upstreamError, retryable: false),
    ])
    func inStreamErrorEvent(_ c: InStreamErrorCase) {
        let body =
            messageStart + textBlock(0, ["partial"])
            + inStreamError(c.errorType, "Trouble (key sk-ant-api03-abcdefghijklmnop)")
        var decoder = AnthropicStreamDecoder(provider: "claude")
        var events: [ProviderEvent] = []
        let error = #expect(throws: RPCError.self) { try decoder.decode(Array(body.utf8), into: &events) }
        #expect(error?.type == c.type)
        #expect(error?.code == c.type.code)
        #expect(error?.data.retryable == c.retryable)
        #expect(error?.data.provider == "claude")
        #expect(error?.data.usage == Usage(inputTokens: 10, outputTokens: 1), "usage so far is kept")
        #expect(error?.message.hasPrefix("claude: ") == true)
        #expect(error?.message.contains(c.errorType) == true)
        #expect(error?.message.contains("Trouble") == true)
        #expect(error?.message.contains("abcdefghijklmnop") == false, "key-like tokens are scrubbed")
        #expect(events == [.model("claude-haiku-4-5"), .text("partial")], "events before the error are kept")
    }

    @Test(arguments: [
        #"{"type":"error"}"#,
        #"{"type":"error","error":"Overloaded"}"#,
        #"{"type":"error","error":{"type":7,"message":null}}"#,
    ])
    func malformedErrorEventIsStillAnError(_ json: String) {
        let error = #expect(throws: RPCError.self) { try decode(messageStart + "event: error\ndata: \(json)\n\n") }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == false)
    }

    struct Truncation: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var testDescription: String { name }
    }

    static let answered = messageStart + textBlock(0, ["x"]) + messageDelta("end_turn")

    @Test(arguments: [
        Truncation(name: "empty body", body: ""),
        Truncation(name: "after message_start", body: messageStart),
        Truncation(name: "after a content block", body: messageStart + textBlock(0, ["x"])),
        Truncation(name: "after message_delta", body: answered),
        Truncation(name: "inside message_stop", body: answered + "event: message_stop\ndata: {\"type\":\"message_st"),
        Truncation(
            name: "message_stop never dispatched",
            body: answered + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n"
        ),
        Truncation(name: "only a comment", body: ": only a comment\n\n"),
    ])
    func bodyEndingBeforeMessageStopThrowsRetryableError(_ c: Truncation) throws {
        var decoder = AnthropicStreamDecoder(provider: "claude")
        var events: [ProviderEvent] = []
        try decoder.decode(Array(c.body.utf8), into: &events)
        let error = #expect(throws: RPCError.self) { try decoder.finish(into: &events) }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == true)
        #expect(error?.data.provider == "claude")
        #expect(error?.message.contains("ended before message_stop") == true)
    }

    @Test func truncationErrorCarriesUsageSoFar() throws {
        var decoder = AnthropicStreamDecoder(provider: "claude")
        var events: [ProviderEvent] = []
        try decoder.decode(
            Array((messageStart + textBlock(0, ["x"]) + messageDelta("end_turn", outputTokens: 9)).utf8),
            into: &events
        )
        let error = #expect(throws: RPCError.self) { try decoder.finish(into: &events) }
        #expect(error?.data.usage == Usage(inputTokens: 10, outputTokens: 9))
    }

    @Test(arguments: [
        "data: {not json}\n\n",
        "event: message_start\ndata: hello\n\n",
        "data: \n\n",
        "data: [1, 2]\n\n",
        #"data: {"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":"x"}}"# + "\n\n",
        #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}}"# + "\n\n",
        #"data: {"type":"content_block_start","index":0}"# + "\n\n",
        #"data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","name":"f"}}"# + "\n\n",
        #"data: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":"ten"}}}"# + "\n\n",
        #"data: {"type":"message_delta","usage":{"output_tokens":1}}"# + "\n\n",
    ])
    func invalidEventThrowsBadResponse(_ body: String) {
        let error = #expect(throws: RPCError.self) { try decode(messageStart + body + messageStop) }
        #expect(error?.type == .upstreamBadResponse)
        #expect(error?.code == ErrorType.upstreamBadResponse.code)
        #expect(error?.data.provider == "claude")
    }

    @Test func overlongLineThrowsBadResponse() {
        var decoder = AnthropicStreamDecoder(provider: "claude")
        var events: [ProviderEvent] = []
        let huge = Array("data: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 8 * 1024 * 1024)
        let error = #expect(throws: RPCError.self) { try decoder.decode(huge, into: &events) }
        #expect(error?.type == .upstreamBadResponse)
    }
}
