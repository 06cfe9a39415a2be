import NeuroLinkProviders
import Testing

private func event(_ data: String, _ name: String? = nil) -> SSEEvent {
    SSEEvent(event: name, data: Array(data.utf8))
}

/// Parses `pieces` in order with one parser.
private func parse(
    _ pieces: [[UInt8]],
    maxLineBytes: Int = 8 * 1024 * 1024
) throws -> (events: [SSEEvent], partial: Bool) {
    var parser = SSEParser(maxLineBytes: maxLineBytes)
    var events: [SSEEvent] = []
    for piece in pieces { try parser.feed(piece, into: &events) }
    return (events, parser.hasPartialEvent)
}

private func parse(_ pieces: String...) throws -> (events: [SSEEvent], partial: Bool) {
    try parse(pieces.map { Array($0.utf8) })
}

/// A realistic recorded OpenAI Chat Completions stream (trimmed), with `\n` line endings.
let recordedOpenAIStream: String = {
    let prefix =
        #"{"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1731000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":"#
    return [
        ": keep-alive comment",
        "",
        "data: " + prefix
            + #"[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        "",
        "data: " + prefix
            + #"[{"index":0,"delta":{"content":"héllo"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        "",
        "data: " + prefix
            + #"[{"index":0,"delta":{"content":" 👋"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        "",
        "data: " + prefix
            + #"[{"index":0,"delta":{"content":" 世界\n\"ok\""},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        "",
        "data: " + prefix + #"[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}"#,
        "",
        "data: " + prefix
            + #"[],"usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"#,
        "",
        "data: [DONE]",
        "",
        "",
    ].joined(separator: "\n")
}()

@Suite struct SSEParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pieces: [String]
        var events: [SSEEvent]
        var partial: Bool = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "LF", pieces: ["data: a\n\ndata: b\n\n"], events: [event("a"), event("b")]),
        Case(name: "CRLF", pieces: ["data: a\r\n\r\ndata: b\r\n\r\n"], events: [event("a"), event("b")]),
        Case(name: "CR", pieces: ["data: a\r\rdata: b\r\r"], events: [event("a"), event("b")]),
        Case(
            name: "mixed endings",
            pieces: ["data: a\r\n\ndata: b\r\rdata: c\n\r\n"],
            events: [event("a"), event("b"), event("c")]
        ),
        Case(
            name: "multi-line data joins with LF",
            pieces: ["data: one\ndata: two\ndata: three\n\n"],
            events: [event("one\ntwo\nthree")]
        ),
        Case(
            name: "multi-line data with CRLF",
            pieces: ["data: one\r\ndata: two\r\n\r\n"],
            events: [event("one\ntwo")]
        ),
        Case(name: "comments ignored", pieces: [": ping\n\n:\ndata: x\n: inside\n\n"], events: [event("x")]),
        Case(name: "data without space", pieces: ["data:x\n\n"], events: [event("x")]),
        Case(name: "only one leading space removed", pieces: ["data:  x \n\n"], events: [event(" x ")]),
        Case(name: "empty data dispatches", pieces: ["data:\n\n"], events: [event("")]),
        Case(name: "field without colon", pieces: ["data\n\n"], events: [event("")]),
        Case(name: "colon in value kept", pieces: ["data: a:b: c\n\n"], events: [event("a:b: c")]),
        Case(name: "event name", pieces: ["event: delta\ndata: y\n\n"], events: [event("y", "delta")]),
        Case(
            name: "event name resets after dispatch",
            pieces: ["event: e1\ndata: 1\n\ndata: 2\n\n"],
            events: [event("1", "e1"), event("2")]
        ),
        Case(name: "event without data not dispatched", pieces: ["event: ping\n\ndata: z\n\n"], events: [event("z")]),
        Case(name: "id and retry ignored", pieces: ["id: 7\nretry: 100\ndata: q\n\n"], events: [event("q")]),
        Case(name: "unknown field ignored", pieces: ["foo: bar\ndata: q\n\n"], events: [event("q")]),
        Case(name: "extra blank lines", pieces: ["\n\n\ndata: a\n\n\n\n"], events: [event("a")]),
        Case(
            name: "trailing partial event not dispatched",
            pieces: ["data: a\n\ndata: b\n"],
            events: [event("a")],
            partial: true
        ),
        Case(
            name: "trailing partial line not dispatched",
            pieces: ["data: a\n\ndata: b"],
            events: [event("a")],
            partial: true
        ),
        Case(
            name: "nothing pending after complete event",
            pieces: ["data: a\n\n"],
            events: [event("a")],
            partial: false
        ),
        Case(name: "pending comment only", pieces: [": c"], events: [], partial: true),
        Case(name: "empty input", pieces: [""], events: [], partial: false),
        Case(
            name: "text split across pieces",
            pieces: ["data: h\u{E9}", "llo \u{1F44B}\n", "\n"],
            events: [event("héllo 👋")]
        ),
        Case(
            name: "CR then LF in next piece is one line ending",
            pieces: ["data: a\r", "\ndata: b\r\n\r\n"],
            events: [event("a\nb")]
        ),
        Case(
            name: "CR then LF across an empty piece",
            pieces: ["data: a\r", "", "\ndata: b\n\n"],
            events: [event("a\nb")]
        ),
        Case(name: "CRLF blank line split", pieces: ["data: a\r\n\r", "\n"], events: [event("a")], partial: false),
        Case(name: "CR then CR in next piece is a blank line", pieces: ["data: a\r", "\r"], events: [event("a")]),
        Case(
            name: "CR at piece end, next piece starts a line",
            pieces: ["data: a\r", "data: b\n\n"],
            events: [event("a\nb")]
        ),
        Case(name: "line split mid-field", pieces: ["da", "ta", ": x", "y\n", "\n"], events: [event("xy")]),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) throws {
        let result = try parse(c.pieces.map { Array($0.utf8) })
        #expect(result.events == c.events)
        #expect(result.partial == c.partial)
    }

    /// Splitting a CR-LF pair must not make the LF a second (blank) line: no spurious dispatch.
    @Test func crlfSplitDoesNotDispatchTwice() throws {
        let result = try parse("data: a\r", "\n", "data: b\r", "\n", "\r", "\n")
        #expect(result.events == [event("a\nb")])
        #expect(!result.partial)
    }

    @Test func acceptsArraySlicesWithNonZeroStartIndex() throws {
        let bytes = Array("xxdata: a\n\n".utf8)
        var parser = SSEParser()
        var events: [SSEEvent] = []
        try parser.feed(bytes[2...], into: &events)
        #expect(events == [event("a")])
    }

    /// Lines ending in CR alone: the parser once searched the rest of the piece for an LF at every
    /// line, so a million comment lines (2 MiB) in one piece took about 18 s; linear, it takes
    /// under a second even in a debug build, and well under five on a loaded machine.
    @Test func crOnlyLinesAreParsedInLinearTime() throws {
        let bytes = Array((String(repeating: ":\r", count: 1 << 20) + "data: x\r\r").utf8)
        var parser = SSEParser()
        var events: [SSEEvent] = []
        let start = ContinuousClock.now
        try parser.feed(bytes, into: &events)
        let elapsed = ContinuousClock.now - start
        #expect(events == [event("x")])
        #expect(elapsed < .seconds(5), "\(elapsed)")
    }

    @Test func rejectsOverlongPendingLine() {
        var parser = SSEParser(maxLineBytes: 16)
        var events: [SSEEvent] = []
        #expect(throws: SSEParser.LineTooLong.self) {
            try parser.feed(Array("data: 0123456789".utf8), into: &events)
            try parser.feed(Array("abcdef".utf8), into: &events)
        }
    }

    @Test func dataStringDecodesUTF8() {
        #expect(event("héllo 👋 世界").dataString == "héllo 👋 世界")
    }

    // MARK: - Recorded stream, every split point

    static let variants: [String] = ["LF", "CRLF", "CR"]

    private static func recorded(_ variant: String) -> [UInt8] {
        switch variant {
        case "CRLF": Array(recordedOpenAIStream.replacing("\n", with: "\r\n").utf8)
        case "CR": Array(recordedOpenAIStream.replacing("\n", with: "\r").utf8)
        default: Array(recordedOpenAIStream.utf8)
        }
    }

    @Test(arguments: variants)
    func recordedStreamParsesToExpectedEvents(_ variant: String) throws {
        let result = try parse([Self.recorded(variant)])
        #expect(result.events.count == 7)
        #expect(result.events.last == event("[DONE]"))
        #expect(result.events.allSatisfy { $0.event == nil })
        #expect(result.events[2].dataString.contains(#""content":" 👋""#))
        #expect(result.events[3].dataString.contains(#"" 世界\n\"ok\"""#))
        #expect(!result.partial)
    }

    @Test(arguments: variants)
    func recordedStreamSplitAtEveryPoint(_ variant: String) throws {
        let bytes = Self.recorded(variant)
        let whole = try parse([bytes])
        for i in 0...bytes.count {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            try parser.feed(bytes[0..<i], into: &events)
            try parser.feed(bytes[i...], into: &events)
            #expect(events == whole.events, "split at \(i)")
            #expect(!parser.hasPartialEvent, "split at \(i)")
        }
    }

    @Test(arguments: variants)
    func recordedStreamOneByteAtATime(_ variant: String) throws {
        let bytes = Self.recorded(variant)
        let whole = try parse([bytes])
        let result = try parse(bytes.map { [$0] })
        #expect(result.events == whole.events)
        #expect(!result.partial)
    }

    @Test(arguments: variants)
    func recordedStreamInPseudoRandomPieces(_ variant: String) throws {
        let bytes = Self.recorded(variant)
        let whole = try parse([bytes])
        var state: UInt64 = 42
        for round in 0..<50 {
            var pieces: [[UInt8]] = []
            var start = 0
            while start < bytes.count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let length = Int((state >> 33) % 24)
                let end = min(bytes.count, start + length)
                pieces.append(Array(bytes[start..<end]))
                start = end
            }
            #expect(try parse(pieces).events == whole.events, "round \(round)")
        }
    }
}
