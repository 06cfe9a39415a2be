import Foundation
import NIOCore
import NeuroLinkProtocol
import Testing

@Suite struct JSONWritingTests {
    private func written(_ string: String) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeJSONString(string)
        return String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    /// Parses a JSON string literal with Foundation, independently of the writer.
    private func parsed(_ literal: String) throws -> String {
        let value = try JSONSerialization.jsonObject(with: Data("[\(literal)]".utf8)) as? [Any]
        return try #require(value?.first as? String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: String
        var testDescription: String { expected }
    }

    static let cases: [Case] = [
        Case(input: "", expected: #""""#),
        Case(input: "plain text", expected: #""plain text""#),
        Case(input: #"say "hi""#, expected: #""say \"hi\"""#),
        Case(input: #"C:\path\"#, expected: #""C:\\path\\""#),
        Case(input: "a\nb\rc\td", expected: #""a\nb\rc\td""#),
        Case(input: "\u{0}", expected: #""\u0000""#),
        Case(input: "\u{1}\u{8}\u{C}\u{1B}\u{1F}", expected: #""\u0001\u0008\u000c\u001b\u001f""#),
        Case(input: "\u{7F}", expected: "\"\u{7F}\""),  // DEL needs no escape in JSON.
        Case(input: "/", expected: #""/""#),
        Case(input: "héllo 👋 世界", expected: "\"héllo 👋 世界\""),
        Case(input: "e\u{301} 👨‍👩‍👧 \u{FEFF}", expected: "\"e\u{301} 👨‍👩‍👧 \u{FEFF}\""),
        Case(input: "\"\\\n", expected: #""\"\\\n""#),
        Case(input: "x\u{2028}y", expected: "\"x\u{2028}y\""),
    ]

    @Test(arguments: cases)
    func escapes(_ c: Case) throws {
        let json = written(c.input)
        #expect(json == c.expected)
        #expect(try parsed(json) == c.input)
    }

    @Test func passesUTF8ThroughByteForByte() {
        let text = "héllo 👋 世界 ñ"
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeJSONString(text)
        #expect(Array(buffer.readableBytesView) == [UInt8(ascii: "\"")] + Array(text.utf8) + [UInt8(ascii: "\"")])
    }

    @Test func appendsToExistingContent() {
        var buffer = ByteBufferAllocator().buffer(capacity: 4)
        buffer.writeString("{\"k\":")
        buffer.writeJSONString("v\"")
        buffer.writeString("}")
        #expect(String(decoding: buffer.readableBytesView, as: UTF8.self) == #"{"k":"v\""}"#)
    }

    @Test func writesIDs() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        buffer.writeJSONID(.number(-42))
        buffer.writeString(",")
        buffer.writeJSONID(.string("a\"b"))
        #expect(String(decoding: buffer.readableBytesView, as: UTF8.self) == #"-42,"a\"b""#)
    }

    /// Every string the writer produces parses back to itself: many pseudo-random strings over an
    /// alphabet rich in characters that need escaping, with a fixed seed.
    @Test func randomStringsRoundTrip() throws {
        var alphabet: [Unicode.Scalar] = (0..<0x20).map { Unicode.Scalar(UInt8($0)) }
        alphabet += [
            "\"", "\\", "/", "a", "Z", "0", " ", "{", "}", "\u{7F}", "é", "ß", "世", "界", "👋", "🎉", "\u{301}",
            "\u{200D}", "\u{2028}", "\u{FFFD}", "\u{10FFFF}", "u", "\u{80}", "\u{7FF}", "\u{800}",
        ]
        var generator = LCG(seed: 0x5EED_1234)
        for iteration in 0..<2_000 {
            let length = Int(generator.next() % 40)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            let string = String(scalars)
            let json = written(string)
            let back = try parsed(json)
            #expect(
                Array(back.unicodeScalars) == Array(string.unicodeScalars),
                "iteration \(iteration): \(json.debugDescription)"
            )
            // The output itself never holds a raw control character.
            #expect(!json.utf8.contains { $0 < 0x20 }, "iteration \(iteration)")
        }
    }
}

/// A small deterministic linear congruential generator (Knuth's MMIX constants).
private struct LCG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}
