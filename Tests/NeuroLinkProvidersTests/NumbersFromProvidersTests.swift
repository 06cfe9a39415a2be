import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// Extreme numbers in what providers send: usage counts, retry hints, event-stream lengths, SSE
/// events without end, and tool-call arguments in very many fragments.
@Suite struct NumbersFromProvidersTests {
    static let max = Usage.maxTokens

    // MARK: - Usage counts

    /// The usage every provider's decoder reports for `count` in all its count fields.
    static func usages(_ count: String) throws -> [String: Usage?] {
        var results: [String: Usage?] = [:]
        func run(_ name: String, _ decoder: some ProviderStreamDecoder, _ body: [UInt8]) throws {
            var decoder = decoder
            var events: [ProviderEvent] = []
            try decoder.decode(body, into: &events)
            try decoder.finish(into: &events)
            results[name] = events.compactMap { if case .usage(let usage) = $0 { usage } else { nil } }.last
        }
        let openAI = [
            #"{"choices":[{"delta":{"content":"ok"},"finish_reason":"stop"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":\#(count),"completion_tokens":\#(count),"total_tokens":\#(count),"prompt_tokens_details":{"cached_tokens":\#(count)}}}"#,
            "[DONE]",
        ].map { "data: \($0)\n\n" }.joined()
        try run("openai", OpenAIStreamDecoder(provider: "p"), Array(openAI.utf8))
        let anthropic = [
            #"{"type":"message_start","message":{"model":"m","usage":{"input_tokens":\#(count),"output_tokens":1,"cache_read_input_tokens":\#(count)}}}"#,
            #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":\#(count)}}"#,
            #"{"type":"message_stop"}"#,
        ].map { "event: x\ndata: \($0)\n\n" }.joined()
        try run("anthropic", AnthropicStreamDecoder(provider: "p"), Array(anthropic.utf8))
        let gemini =
            #"data: {"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":\#(count),"candidatesTokenCount":\#(count),"thoughtsTokenCount":\#(count),"totalTokenCount":\#(count)}}"#
            + "\n\n"
        try run("gemini", GeminiStreamDecoder(provider: "p"), Array(gemini.utf8))
        let ollama =
            #"{"model":"m","message":{"role":"assistant","content":"ok"},"done":true,"done_reason":"stop","prompt_eval_count":\#(count),"eval_count":\#(count)}"#
            + "\n"
        try run("ollama", OllamaStreamDecoder(provider: "p"), Array(ollama.utf8))
        let bedrock =
            EventStreamTestEncoder.event("messageStop", #"{"stopReason":"end_turn"}"#)
            + EventStreamTestEncoder.event(
                "metadata",
                #"{"usage":{"inputTokens":\#(count),"outputTokens":\#(count),"totalTokens":\#(count),"cacheReadInputTokens":\#(count),"cacheWriteInputTokens":\#(count)}}"#
            )
        try run("bedrock", BedrockStreamDecoder(provider: "p"), bedrock)
        let tgi =
            #"data: {"token":{"text":"ok","special":false},"details":{"finish_reason":"eos_token","generated_tokens":\#(count),"input_length":\#(count)}}"#
            + "\n\n"
        try run("tgi", TGIStreamDecoder(provider: "p"), Array(tgi.utf8))
        return results
    }

    @Test(arguments: [
        ("9223372036854775807", max), ("9223372036854775808", max), ("1e30", max), ("1.7976931348623157e308", max),
        ("-9223372036854775808", 0), ("-1", 0), ("-1e30", 0), ("0", 0), ("12.9", 12), ("42", 42),
    ])
    func everyProviderClampsUsageCounts(_ raw: String, _ expected: Int) throws {
        // Anthropic and Bedrock add prompt-cache counts to the input, Gemini thoughts to the output.
        let parts = ["anthropic": (2, 1), "bedrock": (3, 1), "gemini": (1, 2)]
        for (provider, usage) in try Self.usages(raw) {
            let usage = try #require(usage, "\(provider) reported no usage for \(raw)")
            let (inputParts, outputParts) = parts[provider] ?? (1, 1)
            #expect(usage.inputTokens == min(Self.max, expected * inputParts), "\(provider) \(raw)")
            #expect(usage.outputTokens == min(Self.max, expected * outputParts), "\(provider) \(raw)")
            #expect((0...Self.max).contains(usage.totalTokens), "\(provider) \(raw)")
            #expect(usage.cachedInputTokens.map { (0...Self.max).contains($0) } ?? true, "\(provider) \(raw)")
        }
    }

    @Test func aUsageCountThatIsNotANumberIsAMalformedEvent() {
        let body = #"data: {"choices":[],"usage":{"prompt_tokens":"many"}}"# + "\n\n"
        var decoder = OpenAIStreamDecoder(provider: "p")
        var events: [ProviderEvent] = []
        #expect(throws: RPCError.self) { try decoder.decode(Array(body.utf8), into: &events) }
    }

    // MARK: - Retry hints

    @Test(
        arguments: [
            ("retry-after", "1e300", HTTPErrorMapping.maxRetryAfterMs),
            ("retry-after", "inf", HTTPErrorMapping.maxRetryAfterMs),
            ("retry-after", "99999999999999999999999999", HTTPErrorMapping.maxRetryAfterMs),
            ("retry-after", "9223372036854775807", HTTPErrorMapping.maxRetryAfterMs),
            ("retry-after-ms", "1.7976931348623157e308", HTTPErrorMapping.maxRetryAfterMs),
            ("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT", HTTPErrorMapping.maxRetryAfterMs),
            ("retry-after", "Thu, 01 Jan 1970 00:00:00 GMT", 0),
            ("retry-after", "0.0001", 1),
            ("retry-after", "2", 2000),
        ] as [(String, String, Int)]
    )
    func hugeRetryHintsAreCappedAtADay(_ name: String, _ value: String, _ expected: Int) {
        #expect(HTTPErrorMapping.retryAfterMs([HTTPHeader(name, value)]) == expected, "\(name): \(value)")
    }

    @Test(arguments: ["nan", "-nan", "-5", "-inf", "-1e300", "soon", ""])
    func negativeOrMeaninglessRetryHintsAreIgnored(_ value: String) {
        #expect(HTTPErrorMapping.retryAfterMs([HTTPHeader("retry-after", value)]) == nil, "\(value)")
        #expect(HTTPErrorMapping.retryAfterMs([HTTPHeader("retry-after-ms", value)]) == nil, "\(value)")
        // A bad retry-after-ms falls back to retry-after.
        let both = [HTTPHeader("retry-after-ms", value), HTTPHeader("retry-after", "3")]
        #expect(HTTPErrorMapping.retryAfterMs(both) == 3000, "\(value)")
    }

    @Test(
        arguments: [
            ("1e300s", HTTPErrorMapping.maxRetryAfterMs), ("infs", HTTPErrorMapping.maxRetryAfterMs), ("nans", nil),
            ("-1s", nil), ("13s", 13_000), ("0.0005s", 1),
        ] as [(String, Int?)]
    )
    func geminiRetryDelaysAreCappedLikeHeaders(_ delay: String, _ expected: Int?) {
        #expect(GeminiErrorMapping.retryDelayMs(delay) == expected, "\(delay)")
    }

    // MARK: - AWS event-stream lengths

    @Test(arguments: [
        (UInt32.max, UInt32(0)), (UInt32.max, UInt32.max), (UInt32(16), UInt32.max), (UInt32(0), UInt32(0)),
        (UInt32(15), UInt32(0)), (UInt32(20), UInt32(5)), (UInt32(1 << 31), UInt32(1 << 31)),
    ])
    func extremePreludeLengthsAreRefusedBeforeBuffering(_ total: UInt32, _ headers: UInt32) {
        func u32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        var prelude = u32(total) + u32(headers)
        prelude += u32(CRC32.checksum(prelude))
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamError.self, "\(total) \(headers)") {
            _ = try decoder.feed(prelude + [UInt8](repeating: 0, count: 64))
        }
    }

    // MARK: - SSE events without end

    @Test func dataLinesWithoutABlankLineAreCappedLikeALine() {
        var parser = SSEParser(maxLineBytes: 1024)
        var events: [SSEEvent] = []
        let line = Array("data: \(String(repeating: "x", count: 100))\n".utf8)
        #expect(throws: SSEParser.LineTooLong.self) {
            for _ in 0..<20 { try parser.feed(line, into: &events) }
        }
        #expect(events.isEmpty)
    }

    @Test func anEventJustUnderTheCapPasses() throws {
        var parser = SSEParser(maxLineBytes: 1024)
        var events: [SSEEvent] = []
        // Nine lines of 100 bytes joined with eight newlines: 908 bytes, under the cap.
        for _ in 0..<9 { try parser.feed(Array("data: \(String(repeating: "x", count: 100))\n".utf8), into: &events) }
        try parser.feed(Array("\n".utf8), into: &events)
        #expect(events.count == 1 && events.first?.data.count == 908)
        // The cap counts per event: the next one starts from zero.
        for _ in 0..<9 { try parser.feed(Array("data: \(String(repeating: "y", count: 100))\n".utf8), into: &events) }
        try parser.feed(Array("\n".utf8), into: &events)
        #expect(events.count == 2)
    }

    @Test func anEndlessEventIsABadResponseForTheAdapters() {
        var decoder = OpenAIStreamDecoder(provider: "p")
        var events: [ProviderEvent] = []
        let line = Array("data: \(String(repeating: "x", count: 64 * 1024))\n".utf8)
        let error = #expect(throws: RPCError.self) {
            for _ in 0..<200 { try decoder.decode(line, into: &events) }
        }
        #expect(error?.type == .upstreamBadResponse)
        #expect(error?.message.contains("an SSE line or event exceeded") == true, "\(String(describing: error))")
    }

    @Test func openAIToolCallIndicesAreBounded() {
        var body = ""
        for index in 0...OpenAIToolCallAssembler.maxCalls {
            body +=
                #"data: {"choices":[{"delta":{"tool_calls":[{"index":\#(index),"id":"c","function":{"name":"f","arguments":"{}"}}]}}]}"#
            body += "\n\n"
        }
        var decoder = OpenAIStreamDecoder(provider: "p")
        var events: [ProviderEvent] = []
        let error = #expect(throws: RPCError.self) { try decoder.decode(Array(body.utf8), into: &events) }
        #expect(error?.type == .upstreamBadResponse)
    }
}

/// Tool-call arguments in very many fragments are assembled in linear time. The OpenAI and
/// Anthropic assemblers are driven directly, so that the test measures assembly and not JSON
/// decoding: 100 000 fragments of 64 bytes (6.4 MB) take well under a second even in a debug build,
/// where assembly that copies what it holds per fragment moves about 320 GB (an earlier version
/// of these tests saw 160 s for a sixth of that through the whole OpenAI decoder). The bound is
/// generous so that a loaded machine passes, and still far below the quadratic time.
@Suite(.serialized) struct ToolCallAssemblyTests {
    static let fragments = 100_000
    static let fragmentBytes = 64
    static let bound: Duration = .seconds(10)
    static let piece = String(repeating: "a", count: fragmentBytes)

    static func timed<T>(_ name: String, count: Int = fragments, _ body: () throws -> T) rethrows -> T {
        let started = ContinuousClock.now
        let result = try body()
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < bound, "\(name): \(count) fragments took \(elapsed)")
        print("\(name): \(count) tool-call fragments assembled in \(elapsed)")
        return result
    }

    @Test func openAIArgumentsInManyFragments() {
        var assembler = OpenAIToolCallAssembler()
        let calls = Self.timed("openai") {
            _ = assembler.add(index: 0, id: "c", name: "f", arguments: #"{"v":""#)
            for _ in 0..<Self.fragments { _ = assembler.add(index: 0, id: nil, name: nil, arguments: Self.piece) }
            _ = assembler.add(index: 0, id: nil, name: nil, arguments: #""}"#)
            return assembler.takeAll()
        }
        #expect(calls.count == 1 && calls.first?.id == "c" && calls.first?.name == "f")
        #expect(calls.first?.arguments.utf8.count == Self.fragments * Self.fragmentBytes + 8)
        #expect(assembler.isEmpty)
    }

    @Test func anthropicArgumentsInManyFragments() throws {
        var assembler = AnthropicMessageAssembler(provider: "p")
        var output: [ProviderEvent] = []
        try Self.timed("anthropic") {
            try assembler.apply(
                .contentBlockStart(index: 0, block: .toolUse(id: "t", name: "f", input: nil)),
                into: &output
            )
            try assembler.apply(.contentBlockDelta(index: 0, delta: .inputJSON(#"{"v":""#)), into: &output)
            for _ in 0..<Self.fragments {
                try assembler.apply(.contentBlockDelta(index: 0, delta: .inputJSON(Self.piece)), into: &output)
            }
            try assembler.apply(.contentBlockDelta(index: 0, delta: .inputJSON(#""}"#)), into: &output)
            try assembler.apply(.contentBlockStop(index: 0), into: &output)
        }
        let call = output.compactMap { if case .toolCall(let call) = $0 { call } else { nil } }.first
        #expect(call?.arguments.objectValue?["v"]?.stringValue?.count == Self.fragments * Self.fragmentBytes)
    }

    /// Bedrock end to end (event-stream frames, JSON per event): fewer fragments, since decoding
    /// dominates there.
    @Test func bedrockArgumentsInManyFragments() throws {
        let count = 10_000
        var frames = EventStreamTestEncoder.event(
            "contentBlockStart",
            #"{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t","name":"f"}}}"#
        )
        let fragments = [#"{\"v\":\""#] + Array(repeating: Self.piece, count: count) + [#"\"}"#]
        for fragment in fragments {
            frames += EventStreamTestEncoder.event(
                "contentBlockDelta",
                #"{"contentBlockIndex":0,"delta":{"toolUse":{"input":"\#(fragment)"}}}"#
            )
        }
        frames += EventStreamTestEncoder.event("contentBlockStop", #"{"contentBlockIndex":0}"#)
        frames += EventStreamTestEncoder.event("messageStop", #"{"stopReason":"tool_use"}"#)
        frames += EventStreamTestEncoder.event("metadata", #"{"usage":{"inputTokens":1,"outputTokens":1}}"#)
        let events = try Self.timed("bedrock", count: count) {
            var decoder = BedrockStreamDecoder(provider: "p")
            var events: [ProviderEvent] = []
            try decoder.decode(frames, into: &events)
            try decoder.finish(into: &events)
            return events
        }
        let call = events.compactMap { if case .toolCall(let call) = $0 { call } else { nil } }.first
        #expect(call?.arguments.objectValue?["v"]?.stringValue?.count == count * Self.fragmentBytes)
    }
}
