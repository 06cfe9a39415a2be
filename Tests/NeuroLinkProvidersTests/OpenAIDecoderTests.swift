import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

/// Decodes `pieces` with a fresh decoder, then finishes it.
private func decode(_ pieces: [[UInt8]]) throws(RPCError) -> [ProviderEvent] {
    var decoder = OpenAIStreamDecoder(provider: "openai")
    var events: [ProviderEvent] = []
    for piece in pieces { try decoder.decode(piece, into: &events) }
    try decoder.finish(into: &events)
    return events
}

private func decode(_ body: String) throws(RPCError) -> [ProviderEvent] {
    try decode([Array(body.utf8)])
}

/// One `data:` event holding a chunk with the given `choices` and `usage` JSON.
private func chunk(choices: String, usage: String = "null", model: String = "gpt-4o-mini-2024-07-18") -> String {
    #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"\#(model)","choices":\#(choices),"usage":\#(usage)}"#
        + "\n\n"
}

private func delta(_ json: String, finish: String? = nil) -> String {
    chunk(choices: #"[{"index":0,"delta":\#(json),"finish_reason":\#(finish.map { "\"\($0)\"" } ?? "null")}]"#)
}

private let done = "data: [DONE]\n\n"

@Suite struct OpenAIDecoderTests {
    static let expectedRecordedEvents: [ProviderEvent] = [
        .model("gpt-4o-mini-2024-07-18"),
        .text("héllo"), .text(" 👋"), .text(" 世界\n\"ok\""),
        .finish(.stop),
        .usage(Usage(inputTokens: 9, outputTokens: 5, totalTokens: 14, cachedInputTokens: 0, reasoningTokens: 0)),
    ]

    @Test func decodesRecordedStream() throws {
        #expect(try decode(recordedOpenAIStream) == Self.expectedRecordedEvents)
    }

    @Test(arguments: ["LF", "CRLF"])
    func recordedStreamSplitAtEveryPoint(_ variant: String) throws {
        let text = variant == "CRLF" ? recordedOpenAIStream.replacing("\n", with: "\r\n") : recordedOpenAIStream
        let bytes = Array(text.utf8)
        for i in SplitPoints.forRecording(bytes, lineEndings: variant) {
            let events = try decode([Array(bytes[..<i]), Array(bytes[i...])])
            #expect(events == Self.expectedRecordedEvents, "split at \(i)")
        }
        #expect(try decode(bytes.map { [$0] }) == Self.expectedRecordedEvents)
    }

    @Test func textDeltas() throws {
        let events = try decode(
            delta(#"{"role":"assistant","content":""}"#) + delta(#"{"content":"Hel"}"#)
                + delta(#"{"content":"lo"}"#) + delta("{}", finish: "stop") + done
        )
        #expect(events == [.model("gpt-4o-mini-2024-07-18"), .text("Hel"), .text("lo"), .finish(.stop)])
    }

    @Test func reasoningDeltas() throws {
        let events = try decode(
            delta(#"{"reasoning_content":"think"}"#) + delta(#"{"reasoning":"more"}"#)
                + delta(#"{"reasoning_content":"a","reasoning":"b"}"#)
                + delta(#"{"reasoning_content":"","content":"answer"}"#) + delta("{}", finish: "stop") + done
        )
        #expect(
            events == [
                .model("gpt-4o-mini-2024-07-18"), .reasoning("think"), .reasoning("more"), .reasoning("a"),
                .text("answer"), .finish(.stop),
            ]
        )
    }

    @Test(arguments: [
        ("stop", FinishReason.stop), ("length", .length), ("tool_calls", .toolCalls),
        ("content_filter", .contentFilter),
        ("function_call", .toolCalls), ("end_turn", .stop), ("max_tokens", .length),
        ("something_new", FinishReason(rawValue: "something_new")),
    ])
    func finishReasonMapping(_ raw: String, _ expected: FinishReason) throws {
        let events = try decode(delta("{}", finish: raw) + done)
        #expect(events.last == .finish(expected))
    }

    @Test func usageChunk() throws {
        let events = try decode(
            delta("{}", finish: "stop")
                + chunk(choices: "[]", usage: #"{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}"#) + done
        )
        #expect(events.last == .usage(Usage(inputTokens: 12, outputTokens: 34, totalTokens: 46)))
    }

    @Test func usageWithoutTotalIsSummed() throws {
        let events = try decode(chunk(choices: "[]", usage: #"{"prompt_tokens":2,"completion_tokens":3}"#) + done)
        #expect(events.last == .usage(Usage(inputTokens: 2, outputTokens: 3, totalTokens: 5)))
    }

    @Test func modelReportedOnceFromFirstChunk() throws {
        let body =
            chunk(choices: #"[{"index":0,"delta":{"content":"a"},"finish_reason":null}]"#, model: "first")
            + chunk(choices: #"[{"index":0,"delta":{"content":"b"},"finish_reason":null}]"#, model: "second")
            + done
        #expect(try decode(body) == [.model("first"), .text("a"), .text("b")])
    }

    @Test func emptyModelIsNotReported() throws {
        let body =
            chunk(choices: #"[{"index":0,"delta":{"content":"a"},"finish_reason":null}]"#, model: "")
            + chunk(choices: #"[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]"#, model: "m2")
        #expect(try decode(body) == [.text("a"), .model("m2"), .text("b"), .finish(.stop)])
    }

    @Test func doneWithoutFinishReasonEndsCleanly() throws {
        #expect(try decode(delta(#"{"content":"x"}"#) + done) == [.model("gpt-4o-mini-2024-07-18"), .text("x")])
    }

    @Test func eventsAfterDoneAreIgnored() throws {
        let events = try decode(
            delta(#"{"content":"x"}"#) + done + delta(#"{"content":"late"}"#) + "data: not json\n\n"
        )
        #expect(events == [.model("gpt-4o-mini-2024-07-18"), .text("x")])
    }

    @Test func finishReasonWithoutDoneEndsCleanly() throws {
        #expect(
            try decode(delta(#"{"content":"x"}"#, finish: "length")) == [
                .model("gpt-4o-mini-2024-07-18"), .text("x"), .finish(.length),
            ]
        )
    }

    @Test(arguments: [
        "",
        "data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"y\"}",
        ": only a comment\n\n",
    ])
    func truncatedBodyThrowsRetryableUpstreamError(_ body: String) throws {
        var decoder = OpenAIStreamDecoder(provider: "openai")
        var events: [ProviderEvent] = []
        try decoder.decode(Array(body.utf8), into: &events)
        let error = #expect(throws: RPCError.self) { try decoder.finish(into: &events) }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == true)
        #expect(error?.data.provider == "openai")
    }

    @Test func inStreamErrorThrowsScrubbedUpstreamError() throws {
        let body =
            delta(#"{"content":"x"}"#)
            + #"data: {"error":{"message":"The server is overloaded (key sk-abcdefghijkl1234)","type":"server_error","code":null}}"#
            + "\n\n"
        var decoder = OpenAIStreamDecoder(provider: "openai")
        var events: [ProviderEvent] = []
        let error = #expect(throws: RPCError.self) { try decoder.decode(Array(body.utf8), into: &events) }
        #expect(error?.type == .upstreamError)
        #expect(error?.data.retryable == true)
        #expect(error?.message.contains("The server is overloaded") == true)
        #expect(error?.message.contains("sk-abcdefghijkl1234") == false)
        #expect(events == [.model("gpt-4o-mini-2024-07-18"), .text("x")], "events before the error are kept")
    }

    @Test func inStreamErrorWithNumericCode() {
        let body = #"data: {"error":{"message":"boom","code":500}}"# + "\n\n"
        let error = #expect(throws: RPCError.self) { try decode(body) }
        #expect(error?.type == .upstreamError)
        #expect(error?.message.contains("boom") == true)
    }

    @Test(arguments: ["data: {not json}\n\n", "data: hello\n\n", "data: [DONE\n\n", "data: {\"choices\":\"nope\"}\n\n"])
    func invalidJSONThrowsBadResponse(_ body: String) {
        let error = #expect(throws: RPCError.self) { try decode(body) }
        #expect(error?.type == .upstreamBadResponse)
        #expect(error?.code == ErrorType.upstreamBadResponse.code)
    }

    @Test func overlongLineThrowsBadResponse() {
        var decoder = OpenAIStreamDecoder(provider: "openai")
        var events: [ProviderEvent] = []
        let huge = Array("data: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 8 * 1024 * 1024)
        let error = #expect(throws: RPCError.self) { try decoder.decode(huge, into: &events) }
        #expect(error?.type == .upstreamBadResponse)
    }

    @Test func adapterMakesWorkingDecoder() throws {
        let adapter = ProviderEndpoint(
            name: "p",
            type: .openaiCompatible,
            baseURL: "http://localhost:1/v1",
            apiKey: nil,
            defaultModel: nil
        ).makeAdapter()
        var decoder = adapter.makeDecoder()
        var events: [ProviderEvent] = []
        try decoder.decode(Array(recordedOpenAIStream.utf8), into: &events)
        try decoder.finish(into: &events)
        #expect(events == Self.expectedRecordedEvents)
    }
}

@Suite struct OpenAIRequestBodyTests {
    private static let messages = [
        ChatMessage(role: "system", content: "be brief"), ChatMessage(role: "user", content: "héllo"),
    ]

    private func request(
        type: ProviderType,
        baseURL: String = "https://api.example.com/v1",
        key: String? = "sk-test-123456",
        headers: [HTTPHeader] = [],
        maxTokens: Int? = 100,
        stream: Bool = true
    ) throws -> (HTTPRequest, [String: Any]) {
        let endpoint = ProviderEndpoint(
            name: "p",
            type: type,
            baseURL: baseURL,
            apiKey: key.map(Secret.init),
            defaultModel: "m",
            headers: headers
        )
        let http = try OpenAIAdapter(endpoint: endpoint).httpRequest(
            for: ChatRequest(
                messages: Self.messages,
                model: "gpt-4o-mini",
                maxTokens: maxTokens,
                temperature: 0.5,
                stream: stream
            ),
            timeouts: TransferTimeouts(connect: .seconds(1), total: .seconds(9))
        )
        let body = try #require(http.body)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        return (http, json)
    }

    @Test func openAIUsesMaxCompletionTokens() throws {
        let (_, json) = try request(type: .openai)
        #expect(json["max_completion_tokens"] as? Int == 100)
        #expect(json["max_tokens"] == nil)
    }

    @Test func compatibleUsesMaxTokens() throws {
        let (_, json) = try request(type: .openaiCompatible)
        #expect(json["max_tokens"] as? Int == 100)
        #expect(json["max_completion_tokens"] == nil)
    }

    @Test(arguments: ProviderType.allCases)
    func noTokenLimitWithoutMaxTokens(_ type: ProviderType) throws {
        let (_, json) = try request(type: type, maxTokens: nil)
        #expect(json["max_tokens"] == nil && json["max_completion_tokens"] == nil)
    }

    @Test(arguments: ProviderType.allCases)
    func bodyFields(_ type: ProviderType) throws {
        let (http, json) = try request(type: type)
        #expect(http.method == "POST")
        #expect(json["model"] as? String == "gpt-4o-mini")
        #expect(json["stream"] as? Bool == true)
        let options = try #require(json["stream_options"] as? [String: Any])
        #expect(options["include_usage"] as? Bool == true)
        #expect(json["temperature"] as? Double == 0.5)
        let messages = try #require(json["messages"] as? [[String: String]])
        #expect(messages == [["role": "system", "content": "be brief"], ["role": "user", "content": "héllo"]])
        #expect(http.timeouts == TransferTimeouts(connect: .seconds(1), total: .seconds(9)))
    }

    @Test func nonStreamingOmitsStreamOptions() throws {
        let (_, json) = try request(type: .openai, stream: false)
        #expect(json["stream"] as? Bool == false)
        #expect(json["stream_options"] == nil)
    }

    @Test func authorizationOnlyWithKey() throws {
        let (withKey, _) = try request(type: .openai, key: "sk-test-123456")
        #expect(withKey.headers.first(named: "authorization") == "Bearer sk-test-123456")
        #expect(withKey.headers.first(named: "content-type") == "application/json")
        #expect(withKey.headers.first(named: "accept") == "text/event-stream")

        let (withoutKey, _) = try request(type: .openaiCompatible, key: nil)
        #expect(withoutKey.headers.first(named: "authorization") == nil)
        #expect(withoutKey.headers.filter { $0.name.lowercased() == "authorization" }.isEmpty)
    }

    @Test func extraHeadersAreSent() throws {
        let (http, _) = try request(type: .openai, headers: [HTTPHeader("OpenAI-Organization", "org-1")])
        #expect(http.headers.first(named: "openai-organization") == "org-1")
    }

    @Test(arguments: [
        ("https://api.example.com/v1", "https://api.example.com/v1/chat/completions"),
        ("https://api.example.com/v1/", "https://api.example.com/v1/chat/completions"),
        ("https://api.example.com/v1//", "https://api.example.com/v1/chat/completions"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/chat/completions"),
    ])
    func urlIsBasePlusChatCompletions(_ base: String, _ expected: String) throws {
        let (http, _) = try request(type: .openaiCompatible, baseURL: base)
        #expect(http.url == expected)
    }
}
