import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

@_spi(FastPath) @testable import NeuroLinkProviders

// Every stream decoder reads common events on a fast path (JSONFastScanner) and the rest with
// JSONDecoder. These tests generate many events per provider — common ones and every kind of
// unusual one — and check that a decoder with the fast path gives exactly what one without it
// gives: the same events, byte for byte, the same error, and the same state afterwards (seen
// through later events and `finish`).

// MARK: - Random JSON

/// SplitMix64, so every run generates the same events.
private typealias Random = SeededGenerator

extension SeededGenerator {
    fileprivate mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True with probability `percent`/100.
    fileprivate mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    fileprivate mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// A JSON value, written out by ``JSONWriter`` with random whitespace, escapes and key order.
private indirect enum JSON {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    /// A string written without optional escapes, as servers write a `type`.
    case token(String)
    case array([JSON])
    case object([(String, JSON)])
    /// Written as it is: what the writer would never make (`01`, `"\ud800"`, `[1,]`, `1E400`).
    case raw(String)
}

private struct JSONWriter {
    var random: Random
    var bytes: [UInt8] = []

    mutating func write(_ value: JSON) {
        space()
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let text), .raw(let text): append(text)
        case .string(let text): string(text, escaping: random.chance(35))
        case .token(let text): string(text, escaping: false)
        case .array(let elements):
            append("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { comma() }
                write(element)
            }
            space()
            append("]")
        case .object(var members):
            // Key order is the writer's: decoders must not depend on it.
            for index in members.indices.reversed() { members.swapAt(index, random.below(index + 1)) }
            append("{")
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { comma() }
                space()
                // Escaped keys are rare on the wire, and the fast path declines them all.
                string(key, escaping: random.chance(4))
                space()
                append(":")
                write(member)
            }
            space()
            append("}")
        }
        space()
    }

    private mutating func comma() {
        space()
        append(",")
    }

    private mutating func space() {
        guard random.chance(15) else { return }
        append(random.pick([" ", "\n", "\t", "\r\n", "  ", " \t\r\n"]))
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `text` as a JSON string; when `escaping`, with some scalars escaped that need not be.
    private mutating func string(_ text: String, escaping: Bool) {
        append("\"")
        for scalar in text.unicodeScalars {
            let escape = escaping && random.chance(30)
            switch scalar {
            case "\"": append(escape ? "\\u0022" : "\\\"")
            case "\\": append(escape ? "\\u005C" : "\\\\")
            case "/": append(escape ? "\\/" : "/")
            case "\u{08}": append(escape ? "\\u0008" : "\\b")
            case "\u{0C}": append(escape ? "\\u000c" : "\\f")
            case "\n": append(escape ? "\\u000A" : "\\n")
            case "\r": append(escape ? "\\u000d" : "\\r")
            case "\t": append(escape ? "\\u0009" : "\\t")
            case _ where scalar.value < 0x20 || escape: unicodeEscape(scalar)
            default: append(String(scalar))
            }
        }
        append("\"")
    }

    private mutating func unicodeEscape(_ scalar: Unicode.Scalar) {
        let upper = random.chance(50)
        for unit in String(scalar).utf16 {
            let hex = String(unit, radix: 16)
            let padded = String(repeating: "0", count: 4 - hex.count) + hex
            append("\\u" + (upper ? padded.uppercased() : padded))
        }
    }
}

// MARK: - Events

/// Generates provider events: common shapes, and (in a wild event) every unusual variation the
/// fast path must decline or read exactly as the full decoder does.
private struct EventGenerator {
    var random: Random
    /// Whether the event being generated may be unusual; a tame one is a common shape, with
    /// unknown keys, escapes and any text, which the fast path should read.
    var wild = true

    /// True with probability `percent`/100 in a wild event, never in a tame one.
    private mutating func unusual(_ percent: Int) -> Bool {
        wild && random.chance(percent)
    }

    private static let pieces = [
        "Hello", " world", "wörld", "世界", "👋", "e\u{301}", "é", "\n", "\t", "\"", "\\", "/", "\u{0}", "\u{1F}",
        "\u{7F}", "\u{2028}", "\u{FEFF}", "\u{10FFFF}", "\u{212A}", "{\"a\":1}", "\\u0041", "", " ", "🇨🇭", "\r\n",
    ]

    /// Text of 0 to 4 pieces.
    mutating func text() -> String {
        (0..<random.below(5)).map { _ in random.pick(Self.pieces) }.joined()
    }

    /// Raw tokens: valid ones with unusual spelling, and invalid ones the full decoder skips
    /// unchecked in values it ignores (and rejects where it reads them).
    private static let rawTokens = [
        "1E400", "-0", "-0.0e-0", "123456789012345678901234567890", #""\ud83d\ude00""#, #""\uD83D\uDE00""#,
        "01", "1.", "-", "[1,]", #"{"a":1,}"#, #""\ud800""#, #""\udc00x""#, #""\q""#, "tru", "\"\u{1}\"",
    ]

    /// Any value, for keys the decoders do not know.
    mutating func anyValue(depth: Int = 0) -> JSON {
        switch random.below(depth > 2 ? 5 : 8) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2:
            return unusual(30)
                ? .raw(random.pick(Self.rawTokens)) : .number(random.pick(["0", "-1", "3.25", "-1.5e3", "2E+2"]))
        case 3, 4: return .string(text())
        case 5: return .array((0..<random.below(4)).map { _ in anyValue(depth: depth + 1) })
        default: return .object((0..<random.below(4)).map { _ in (unknownKey(), anyValue(depth: depth + 1)) })
        }
    }

    /// Keys that no decoder reads; in a wild event also ones the fast path declines (not ASCII,
    /// or escaped) and ones that a decoder reads in some other object.
    private mutating func unknownKey() -> String {
        unusual(15)
            ? random.pick(["é", "K", "\u{212A}", "a\"b", "text", "content", "type", "model", "delta", "parts"])
            : random.pick(["id", "object", "index", "role", "logprobs", "extra", "x", "", "system_fingerprint"])
    }

    /// A value for a known string field: usually text, sometimes empty, `null` or absent (nil);
    /// in a wild event also of the wrong type or not JSON that decodes.
    mutating func stringField(common: Int = 60) -> JSON? {
        if random.chance(common) { return .string(text()) }
        switch random.below(wild ? 10 : 5) {
        case 0, 1: return nil
        case 2, 3: return .null
        case 4: return .string("")
        case 5: return .number("5")
        case 6: return .bool(true)
        case 7: return .array([])
        case 8: return .raw(random.pick([#""\ud800""#, #""\udfff""#, #""a\x""#, "\"\u{1}\""]))
        default: return .raw(random.pick([#""\ud83d\ude00""#, #""\u00E9\u0301""#, #""\/\b\f""#]))
        }
    }

    /// `text` as a `type` is written: escaped only in a wild event, now and then.
    private mutating func token(_ text: String) -> JSON {
        wild ? .string(text) : .token(text)
    }

    /// A field the fast path declines unless it is `null` or absent: present in a wild event only.
    mutating func rareField(_ present: Int, _ value: JSON) -> JSON? {
        if unusual(present) { return value }
        return random.chance(60) ? nil : .null
    }

    /// An object of `members` (absent ones left out) and some unknown members; in a wild event,
    /// sometimes with a known member repeated with another value.
    mutating func object(_ members: [(String, JSON?)]) -> JSON {
        var written = members.compactMap { key, value in value.map { (key, $0) } }
        for _ in 0..<random.below(3) { written.append((unknownKey(), anyValue())) }
        if unusual(5), let repeated = written.randomElement(using: &random) {
            written.append((repeated.0, random.chance(50) ? anyValue() : .string(text())))
        }
        return .object(written)
    }

    mutating func openAIChunk() -> JSON {
        let toolCall = object([
            ("index", .number(random.pick(["0", "1"]))), ("id", .string("call_\(random.below(3))")),
            ("type", .string("function")),
            (
                "function",
                object([
                    ("name", .string("get_weather")), ("arguments", .string(random.pick(["{\"a\":", "1}", "{}"]))),
                ])
            ),
        ])
        let delta = object([
            ("role", random.chance(30) ? .string("assistant") : nil),
            ("content", stringField()),
            ("reasoning_content", stringField(common: 15)),
            ("reasoning", stringField(common: 15)),
            ("tool_calls", rareField(10, .array([toolCall]))),
        ])
        let choice = object([
            ("index", .number("0")),
            ("delta", unusual(10) ? random.pick([nil, .null, .string("x")]) : delta),
            (
                "finish_reason",
                random.chance(15)
                    ? token(random.pick(["stop", "length", "tool_calls", ""])) : rareField(10, .number("5"))
            ),
            ("logprobs", random.chance(30) ? .null : nil),
        ])
        var choices: JSON? = .array([choice])
        if unusual(30) {
            choices = random.pick([
                nil, .null, .array([]), .array([choice, choice]), .array([.null]), .object([]), .string("x"),
            ])
        } else if random.chance(5) {
            choices = random.pick([nil, .null, .array([])])
        }
        return object([
            ("id", .string("chatcmpl-7")), ("object", .string("chat.completion.chunk")),
            ("created", .number("1700000000")),
            (
                "model",
                random.chance(80) ? .string(random.pick(["gpt-4o-mini", "", "m\u{e9}"])) : stringField(common: 0)
            ),
            ("choices", choices),
            ("usage", random.chance(15) ? usage() : rareField(10, .string("none"))),
            ("error", rareField(5, random.pick([object([("message", .string(text()))]), .string("boom")]))),
        ])
    }

    /// OpenAI's usage: plain counts mostly, now and then one the fast path leaves to `JSONDecoder`.
    mutating func usage() -> JSON {
        func count() -> JSON {
            random.chance(85)
                ? .number(random.pick(["0", "9", "1234"])) : .number(random.pick(["2.5", "-1", "1e3", "01"]))
        }
        let details = object([
            ("cached_tokens", random.chance(70) ? count() : nil),
            ("reasoning_tokens", random.chance(50) ? count() : .null),
        ])
        return object([
            ("prompt_tokens", count()), ("completion_tokens", count()),
            ("total_tokens", random.chance(70) ? count() : .null),
            ("prompt_tokens_details", random.chance(40) ? details : nil),
            ("completion_tokens_details", random.chance(30) ? details : random.pick([nil, .null])),
        ])
    }

    mutating func anthropicEvent() -> JSON {
        // A type's escapes decline (no server escapes one), so only a wild event may have them.
        var deltaType: JSON? = token(random.pick(["text_delta", "text_delta", "thinking_delta"]))
        if unusual(25) {
            deltaType = random.pick([
                .string("input_json_delta"), .string("signature_delta"), .raw(#""text\u005fdelta""#), nil, .null,
            ])
        }
        let delta = object([
            ("type", deltaType), ("text", stringField(common: 80)), ("thinking", stringField(common: 80)),
            ("partial_json", unusual(20) ? .string("{\"a\":") : nil),
            ("signature", unusual(10) ? .string("c2ln") : nil),
        ])
        var type: JSON? = token("content_block_delta")
        if unusual(35) {
            type = random.pick([
                .string("message_start"), .string("content_block_start"), .string("content_block_stop"),
                .string("message_delta"), .string("ping"), .string("error"), nil, .null, .number("1"),
                .raw(#""content_block\u005Fdelta""#),
            ])
        }
        var index: JSON? = .number(random.pick(["0", "1", "2", "10"]))
        if unusual(15) {
            index = random.pick([
                nil, .null, .raw("1.0"), .raw("-1"), .raw("1e0"), .string("0"), .raw("99999999999999999999"),
            ])
        }
        return object([
            ("type", type), ("index", index), ("delta", unusual(8) ? random.pick([nil, .null, .array([])]) : delta),
            (
                "message",
                unusual(10)
                    ? object([("model", stringField()), ("usage", object([("input_tokens", .number("3"))]))]) : nil
            ),
            ("content_block", unusual(10) ? object([("type", .string("text")), ("text", stringField())]) : nil),
            (
                "error",
                unusual(5) ? object([("type", .string("overloaded_error")), ("message", .string(text()))]) : nil
            ),
            ("usage", unusual(5) ? object([("output_tokens", .number("4"))]) : nil),
        ])
    }

    mutating func geminiResponse() -> JSON {
        var parts: [JSON] = []
        for _ in 0..<random.pick([0, 1, 1, 1, 2, 3]) {
            parts.append(
                object([
                    ("text", stringField(common: 70)),
                    (
                        "thought",
                        random.chance(70)
                            ? nil
                            : unusual(30)
                                ? random.pick([.number("1"), .string("true")])
                                : random.pick([.bool(true), .bool(false), .null])
                    ),
                    (
                        "functionCall",
                        rareField(8, object([("name", .string("f")), ("args", object([("a", .number("1"))]))]))
                    ),
                    ("thoughtSignature", random.chance(10) ? .string("CiQB") : nil),
                    ("inlineData", random.chance(5) ? object([("mimeType", .string("image/png"))]) : nil),
                ])
            )
        }
        let content = object([
            ("parts", unusual(8) ? random.pick([nil, .null, .array([.null])]) : .array(parts)),
            ("role", .string("model")),
        ])
        let candidate = object([
            ("content", unusual(8) ? random.pick([nil, .null]) : content),
            ("finishReason", rareField(10, .string(random.pick(["STOP", "MAX_TOKENS", "SAFETY"])))),
            ("index", .number("0")),
            ("safetyRatings", random.chance(20) ? .array([object([("category", .string("HARM"))])]) : nil),
        ])
        var candidates: JSON? = .array([candidate])
        if unusual(25) {
            candidates = random.pick([
                nil, .null, .array([]), .array([candidate, candidate]), .array([.null]), .object([]),
            ])
        }
        return object([
            ("candidates", candidates),
            ("usageMetadata", random.chance(60) ? usageMetadata() : random.pick([nil, .null])),
            (
                "modelVersion",
                random.chance(80) ? .string(random.pick(["gemini-2.5-flash", ""])) : stringField(common: 0)
            ),
            ("responseId", .string("mtTx")),
            ("promptFeedback", rareField(5, object([("blockReason", .string("SAFETY"))]))),
            ("error", rareField(5, object([("code", .number("500")), ("message", .string(text()))]))),
        ])
    }

    private mutating func usageMetadata() -> JSON {
        var counts: [(String, JSON?)] = []
        for key in [
            "promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "cachedContentTokenCount",
            "totalTokenCount",
        ] {
            var count: JSON? = random.chance(85) ? .number(String(random.below(200))) : random.pick([nil, .null])
            if unusual(10) {
                count = random.pick([
                    .number("1.5"), .number("-3"), .number("1e2"), .string("7"), .number("99999999999999999999"),
                ])
            }
            counts.append((key, count))
        }
        counts.append(
            ("promptTokensDetails", random.chance(30) ? .array([object([("modality", .string("TEXT"))])]) : nil)
        )
        return object(counts)
    }

    mutating func ollamaLine() -> JSON {
        let message = object([
            ("role", .string("assistant")), ("content", stringField()), ("thinking", stringField(common: 20)),
            (
                "tool_calls",
                rareField(
                    8,
                    .array([object([("function", object([("name", .string("f")), ("arguments", object([]))]))])])
                )
            ),
            ("images", random.chance(10) ? .null : nil),
        ])
        var done: JSON? = random.chance(90) ? .bool(false) : random.pick([nil, .null])
        if unusual(15) { done = random.pick([.bool(true), .number("0"), .string("false")]) }
        return object([
            ("model", random.chance(80) ? .string(random.pick(["llama3.2", ""])) : stringField(common: 0)),
            ("created_at", .string("2025-01-01T00:00:00Z")),
            ("message", unusual(8) ? random.pick([nil, .null, .string("x")]) : message),
            ("done", done),
            ("done_reason", rareField(5, .string("stop"))),
            ("prompt_eval_count", rareField(5, .number("12"))),
            ("eval_count", rareField(5, .number("3.5"))),
            ("error", rareField(5, random.pick([.string("boom"), object([("message", .string(text()))])]))),
        ])
    }

    /// `event` with the inside of one of its strings (picked at random) written anew: mostly text
    /// as a server would send it, sometimes what breaks a string or ends it early. A stream's events
    /// that differ only in one string are what a decoder's ``EventTemplate`` reads.
    mutating func rewritingAString(of event: [UInt8]) -> [UInt8] {
        var quotes: [Int] = []
        var index = 0
        while index < event.count {
            if event[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if event[index] == UInt8(ascii: "\"") { quotes.append(index) }
            index += 1
        }
        guard quotes.count >= 2 else { return event }
        let pair = random.below(quotes.count / 2)
        let (open, close) = (quotes[2 * pair], quotes[2 * pair + 1])
        var writer = JSONWriter(random: Random(seed: random.next()))
        writer.write(.string(text()))
        var inside = Array(writer.bytes.drop { $0 != UInt8(ascii: "\"") }.dropFirst().dropLast())
        if unusual(15) {
            inside = Array(random.pick([#"a","x":"b"#, "\\", #"\u12"#, "\u{1}", #"\ud800"#, "\"", ""]).utf8)
            if random.chance(20) { inside.append(0xFF) }
        }
        return Array(event[...open]) + inside + Array(event[close...])
    }

    /// `value` written out; in a wild event sometimes then damaged (a byte dropped, changed or
    /// added, or the rest cut off).
    mutating func bytes(_ value: JSON) -> [UInt8] {
        var writer = JSONWriter(random: Random(seed: random.next()))
        writer.write(value)
        var bytes = writer.bytes
        guard unusual(20), !bytes.isEmpty else { return bytes }
        let at = random.below(bytes.count)
        let noise: [UInt8] = [0x00, 0x22, 0x2C, 0x3A, 0x5C, 0x5B, 0x5D, 0x7B, 0x7D, 0x80, 0xC3, 0xFF, 0x20, 0x31]
        switch random.below(4) {
        case 0: bytes.remove(at: at)
        case 1: bytes[at] = random.pick(noise)
        case 2: bytes.insert(random.pick(noise), at: at)
        default: bytes.removeSubrange(at...)
        }
        return bytes
    }
}

// MARK: - Running both paths

/// The decoders' per-event entry, which both paths share.
private protocol EventDecoder {
    mutating func decodeEvent(_ data: [UInt8], into output: inout [ProviderEvent]) throws(RPCError)
    mutating func finish(into output: inout [ProviderEvent]) throws(RPCError)
}

extension OpenAIStreamDecoder: EventDecoder {}
extension AnthropicStreamDecoder: EventDecoder {}
extension GeminiStreamDecoder: EventDecoder {}
extension OllamaStreamDecoder: EventDecoder {}

/// What a decoder made of some events: what it emitted, and the error that stopped it.
private struct Outcome: Equatable {
    var events: [ProviderEvent] = []
    var error: RPCError?

    /// Events as bytes: `==` on strings takes canonical equivalents to be equal ("é" and
    /// "e\u{301}"), which would hide a wrong unescape or a dropped combining mark.
    var exactEvents: [[UInt8]] {
        events.map { event in
            switch event {
            case .text(let text): [1] + Array(text.utf8)
            case .reasoning(let text): [2] + Array(text.utf8)
            case .model(let name): [3] + Array(name.utf8)
            // Only the full decoder makes the others, and their dictionaries print in no fixed order.
            default: [4]
            }
        }
    }

    static func == (lhs: Outcome, rhs: Outcome) -> Bool {
        lhs.events == rhs.events && lhs.exactEvents == rhs.exactEvents && lhs.error == rhs.error
            && lhs.error.map { Array($0.message.utf8) } == rhs.error.map { Array($0.message.utf8) }
    }
}

/// Feeds `events` one by one, then finishes; stops at the first error.
private func run(_ decoder: some EventDecoder, _ events: [[UInt8]]) -> Outcome {
    var decoder = decoder
    var outcome = Outcome()
    do {
        for event in events { try decoder.decodeEvent(event, into: &outcome.events) }
        try decoder.finish(into: &outcome.events)
    } catch {
        outcome.error = error
    }
    return outcome
}

/// How many generated events the fast path read, of how many.
private struct Tally {
    var events = 0
    var accepted = 0
    /// Accepted events with a backslash escape: the fast path unescaped something.
    var acceptedWithEscapes = 0
    var outcomes = 0

    mutating func count(_ event: [UInt8], accepted: Bool) {
        events += 1
        guard accepted else { return }
        self.accepted += 1
        if event.contains(UInt8(ascii: "\\")) { acceptedWithEscapes += 1 }
    }

    /// The fast path must have read many events, escaped ones too, and declined many: a run in
    /// which it declined everything, or nothing, would compare nothing worth comparing.
    func checkCoverage(_ provider: String) {
        #expect(accepted * 4 >= events, "\(provider): the fast path read \(accepted) of \(events) events")
        #expect(
            accepted * 5 <= events * 4,
            "\(provider): the fast path declined only \(events - accepted) of \(events)"
        )
        #expect(acceptedWithEscapes * 10 >= accepted, "\(provider): \(acceptedWithEscapes) accepted events had escapes")
    }
}

/// Runs `cases` random sequences through a decoder with the fast path and one without.
private func compare<Decoder: EventDecoder>(
    _ provider: String,
    cases: Int,
    seed: UInt64,
    make: (Bool) -> Decoder,
    event: (inout EventGenerator) -> JSON,
    accepts: ([UInt8]) -> Bool,
    preamble: [UInt8],
    terminal: [UInt8]
) {
    var generator = EventGenerator(random: Random(seed: seed))
    var tally = Tally()
    for index in 0..<cases {
        var events = (0..<3).map { _ in
            generator.wild = generator.random.chance(50)
            return generator.bytes(event(&generator))
        }
        for event in events { tally.count(event, accepted: accepts(event)) }
        // The same event twice: the model is reported once, whichever path read the first.
        events.insert(events[0], at: 1)
        // Then the same but for one string, as a stream's text chunks are.
        events.insert(contentsOf: (0..<3).map { _ in generator.rewritingAString(of: events[0]) }, at: 2)
        if generator.random.chance(30) { events.insert(preamble, at: 0) }
        events.append(terminal)
        let fast = run(make(true), events)
        let full = run(make(false), events)
        tally.outcomes += 1
        #expect(fast == full, "\(provider) case \(index): \(events.map { String(decoding: $0, as: UTF8.self) })")
        if fast != full { return }
    }
    tally.checkCoverage(provider)
}

@Suite struct FastPathDifferentialTests {
    static let cases = 2500

    @Test func comparisonIsByteExact() {
        let composed = Outcome(events: [.text("é")])
        let decomposed = Outcome(events: [.text("e\u{301}")])
        #expect(composed.events == decomposed.events)
        #expect(composed != decomposed)
    }

    @Test func openAI() {
        compare(
            "openai",
            cases: Self.cases,
            seed: 1,
            make: { OpenAIStreamDecoder(provider: "openai", fastPath: $0) },
            event: { $0.openAIChunk() },
            accepts: { OpenAIFastChunk.scan($0, wantsModel: true) != nil },
            preamble: Array(#"{"model":"first","choices":[]}"#.utf8),
            terminal: Array(#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#.utf8)
        )
    }

    @Test func anthropic() {
        compare(
            "anthropic",
            cases: Self.cases,
            seed: 2,
            make: { AnthropicStreamDecoder(provider: "anthropic", fastPath: $0) },
            event: { $0.anthropicEvent() },
            accepts: { AnthropicFastEvent.scan($0) != nil },
            preamble: Array(
                #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#.utf8
            ),
            terminal: Array(#"{"type":"message_stop"}"#.utf8)
        )
    }

    @Test func gemini() {
        compare(
            "gemini",
            cases: Self.cases,
            seed: 3,
            make: { GeminiStreamDecoder(provider: "gemini", fastPath: $0) },
            event: { $0.geminiResponse() },
            accepts: {
                var output: [ProviderEvent] = []
                return GeminiFastResponse.scan($0, wantsModel: true, into: &output) != nil
            },
            preamble: Array(#"{"modelVersion":"first"}"#.utf8),
            terminal: Array(#"{"candidates":[{"content":{"parts":[]},"finishReason":"STOP"}]}"#.utf8)
        )
    }

    @Test func ollama() {
        compare(
            "ollama",
            cases: Self.cases,
            seed: 4,
            make: { OllamaStreamDecoder(provider: "ollama", fastPath: $0) },
            event: { $0.ollamaLine() },
            accepts: { OllamaFastLine.scan($0, wantsModel: true) != nil },
            preamble: Array(#"{"model":"first","done":false}"#.utf8),
            terminal: Array(#"{"done":true,"done_reason":"stop","eval_count":2}"#.utf8)
        )
    }
}

/// The four fast paths on hand-written events: what they read, and what they decline.
@Suite struct FastPathShapeTests {
    @Test func declinesRepeatedKnownKeysOnly() {
        let chunk = #"{"model":"m","choices":[{"delta":{"content":"hi"}}],"x":1,"x":{"y":2}}"#
        #expect(OpenAIFastChunk.scan(Array(chunk.utf8), wantsModel: true)?.content == "hi")
        for repeated in [
            #"{"choices":[{"delta":{"content":"a"}}],"choices":[{"delta":{"content":"b"}}]}"#,
            #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
            #"{"choices":[{"delta":{"content":"a"},"delta":{"content":"b"}}]}"#,
            #"{"model":"a","model":"b","choices":[]}"#,
        ] {
            #expect(OpenAIFastChunk.scan(Array(repeated.utf8), wantsModel: true) == nil, "\(repeated)")
        }
        #expect(
            AnthropicFastEvent.scan(
                Array(
                    #"{"type":"content_block_delta","index":0,"index":1,"delta":{"type":"text_delta","text":"a"}}"#.utf8
                )
            ) == nil
        )
        #expect(
            OllamaFastLine.scan(Array(#"{"message":{"content":"a"},"done":false,"done":true}"#.utf8), wantsModel: true)
                == nil
        )
    }

    @Test func fastPathsReadTheirCommonShapes() {
        let openAI = OpenAIFastChunk.scan(
            Array(
                #"{"id":"c","model":"gpt","choices":[{"index":0,"delta":{"reasoning_content":"","reasoning":"r","content":"t\u00e9"},"finish_reason":null,"logprobs":null}],"usage":null}"#
                    .utf8
            ),
            wantsModel: true
        )
        #expect(openAI?.model == "gpt" && openAI?.reasoning == "" && openAI?.content == "té")
        #expect(OpenAIFastChunk.scan(Array(#"{"model":"gpt","choices":[]}"#.utf8), wantsModel: false)?.model == nil)
        #expect(
            AnthropicFastEvent.scan(
                Array(
                    #"{"delta":{"thinking":"hm","type":"thinking_delta"},"index":2,"type":"content_block_delta"}"#.utf8
                )
            )
                == .contentBlockDelta(index: 2, delta: .thinking("hm"))
        )
        var output: [ProviderEvent] = [.text("before")]
        let gemini = GeminiFastResponse.scan(
            Array(
                #"{"candidates":[{"content":{"parts":[{"text":"a","thought":true},{"inlineData":{}},{"text":"b"}]}}],"usageMetadata":{"promptTokenCount":3,"totalTokenCount":3},"modelVersion":"g"}"#
                    .utf8
            ),
            wantsModel: true,
            into: &output
        )
        #expect(gemini?.modelVersion == "g" && gemini?.usageMetadata?.totalTokenCount?.value == 3)
        #expect(output == [.text("before"), .reasoning("a"), .text("b")])
        // A decline after parts were read leaves the output as it was.
        let declined = GeminiFastResponse.scan(
            Array(#"{"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}]}"#.utf8),
            wantsModel: true,
            into: &output
        )
        #expect(declined == nil && output == [.text("before"), .reasoning("a"), .text("b")])
        let ollama = OllamaFastLine.scan(
            Array(#"{"model":"l","message":{"role":"assistant","content":"x","thinking":"y"},"done":false}"#.utf8),
            wantsModel: true
        )
        #expect(
            ollama?.model == "l" && ollama?.message?.content == "x" && ollama?.message?.thinking == "y"
                && ollama?.done == false
        )
    }

    @Test func checksTheModelItDoesNotBuild() {
        #expect(OpenAIFastChunk.scan(Array(#"{"model":5,"choices":[]}"#.utf8), wantsModel: false) == nil)
        #expect(OpenAIFastChunk.scan(Array(#"{"model":"m","choices":[]}"#.utf8), wantsModel: false) != nil)
        #expect(OllamaFastLine.scan(Array(#"{"model":true,"done":false}"#.utf8), wantsModel: false) == nil)
        var output: [ProviderEvent] = []
        #expect(GeminiFastResponse.scan(Array(#"{"modelVersion":[]}"#.utf8), wantsModel: false, into: &output) == nil)
    }

    @Test(arguments: [
        #"{"choices":[{"delta":{"content":"a"},"finish_reason":5}]}"#,
        #"{"choices":[{"delta":{"content":"a"}}],"usage":{"prompt_tokens":1.5}}"#,
        #"{"choices":[],"usage":{"prompt_tokens":1,"prompt_tokens":2}}"#,
        #"{"choices":[],"usage":{"completion_tokens_details":{"reasoning_tokens":-1}}}"#,
        #"{"choices":[],"error":{"message":"boom"}}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f"}}]}}]}"#,
        #"{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]}"#,
        #"{"choices":{}}"#, #"{"choices":[null]}"#, #"{"choices":[{"delta":{"content":5}}]}"#, "[]", "",
    ])
    func openAIDeclines(_ json: String) {
        #expect(OpenAIFastChunk.scan(Array(json.utf8), wantsModel: true) == nil)
    }

    @Test(arguments: [
        #"{"type":"message_start","message":{"model":"m"}}"#, #"{"type":"ping"}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"s"}}"#,
        #"{"index":0,"delta":{"type":"text_delta","text":"a"}}"#,
        #"{"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":"a"}}"#,
        #"{"type":"content_block_delta","index":1.0,"delta":{"type":"text_delta","text":"a"}}"#,
        #"{"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":null}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","text":"a"}}"#,
    ])
    func anthropicDeclines(_ json: String) {
        #expect(AnthropicFastEvent.scan(Array(json.utf8)) == nil)
    }

    @Test(arguments: [
        #"{"candidates":[{"content":{"parts":[{"text":"a"}]},"finishReason":"STOP"}]}"#,
        #"{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f"}}]}}]}"#,
        #"{"promptFeedback":{"blockReason":"SAFETY"}}"#, #"{"error":{"code":500}}"#,
        #"{"candidates":[],"usageMetadata":{"promptTokenCount":1.5}}"#,
        #"{"candidates":[],"usageMetadata":{"promptTokenCount":-1}}"#,
        #"{"candidates":[{"content":{"parts":[]}},{"content":{"parts":[]}}]}"#,
        #"{"candidates":[{"content":{"parts":[{"text":"a","thought":"yes"}]}}]}"#,
    ])
    func geminiDeclines(_ json: String) {
        var output: [ProviderEvent] = []
        #expect(GeminiFastResponse.scan(Array(json.utf8), wantsModel: true, into: &output) == nil)
        #expect(output.isEmpty)
    }

    @Test(arguments: [
        #"{"message":{"content":""},"done":true}"#, #"{"error":"model not found"}"#,
        #"{"message":{"content":"","tool_calls":[{"function":{"name":"f"}}]},"done":false}"#,
        #"{"message":{"content":"a"},"done":false,"done_reason":"stop"}"#,
        #"{"message":{"content":"a"},"done":false,"eval_count":3}"#, #"{"message":{"content":"a"},"done":0}"#,
    ])
    func ollamaDeclines(_ json: String) {
        #expect(OllamaFastLine.scan(Array(json.utf8), wantsModel: true) == nil)
    }
}
