import Foundation
import NIOCore
import Testing

@testable import NeuroLinkProtocol

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: text)
    }

    private func parse(bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: ByteBuffer(bytes: bytes))
    }

    struct Accepted: Sendable, CustomTestStringConvertible {
        var text: String
        var value: JSONValue
        var testDescription: String { text }
    }

    static let accepted: [Accepted] = [
        Accepted(text: "null", value: .null),
        Accepted(text: " \t\r\ntrue\n", value: .bool(true)),
        Accepted(text: "false", value: .bool(false)),
        Accepted(text: "0", value: .number(0)),
        Accepted(text: "-0", value: .number(-0.0)),
        Accepted(text: "-12", value: .number(-12)),
        Accepted(text: "123456789012345", value: .number(123_456_789_012_345)),
        Accepted(text: "9007199254740993", value: .number(9_007_199_254_740_992)),
        Accepted(text: "1.5e3", value: .number(1500)),
        Accepted(text: "0e5", value: .number(0)),
        Accepted(text: "2E-2", value: .number(0.02)),
        Accepted(text: "0.1", value: .number(0.1)),
        Accepted(text: "5e-324", value: .number(.leastNonzeroMagnitude)),
        Accepted(text: "1e-400", value: .number(0)),
        Accepted(text: #""""#, value: .string("")),
        Accepted(text: #""héllo 👋""#, value: .string("héllo 👋")),
        Accepted(text: #""\"\\\/\b\f\n\r\t""#, value: .string("\"\\/\u{8}\u{C}\n\r\t")),
        Accepted(text: #""\u00e9\u0000\uFFFF""#, value: .string("é\u{0}\u{FFFF}")),
        Accepted(text: #""\ud83d\ude00""#, value: .string("😀")),
        Accepted(text: "[]", value: .array([])),
        Accepted(text: "[1, [2], {}]", value: .array([.number(1), .array([.number(2)]), .object([:])])),
        Accepted(text: #"{"a":{"b":[null]}}"#, value: .object(["a": .object(["b": .array([.null])])])),
        Accepted(text: #"{"k":1,"k":2}"#, value: .object(["k": .number(1)])),
    ]

    @Test(arguments: accepted)
    func accepts(_ c: Accepted) throws {
        #expect(try parse(c.text) == c.value)
    }

    struct Refused: Sendable, CustomTestStringConvertible {
        var text: String
        var offset: Int
        var testDescription: String { text.debugDescription }
    }

    static let refused: [Refused] = [
        Refused(text: "", offset: 0),
        Refused(text: "   ", offset: 3),
        Refused(text: "nul", offset: 0),
        Refused(text: "True", offset: 0),
        Refused(text: "01", offset: 1),
        Refused(text: "-", offset: 1),
        Refused(text: "1.", offset: 2),
        Refused(text: ".5", offset: 0),
        Refused(text: "1e", offset: 2),
        Refused(text: "+1", offset: 0),
        Refused(text: "1e400", offset: 0),
        Refused(text: "NaN", offset: 0),
        Refused(text: "[1,]", offset: 3),
        Refused(text: "[1 2]", offset: 3),
        Refused(text: #"{"a":1,}"#, offset: 7),
        Refused(text: "{a:1}", offset: 1),
        Refused(text: #"{"a" 1}"#, offset: 5),
        Refused(text: #"{"a":1"#, offset: 6),
        Refused(text: "[1] x", offset: 4),
        Refused(text: "1 // note", offset: 2),
        Refused(text: #""abc"#, offset: 0),
        Refused(text: "\"a\nb\"", offset: 2),
        Refused(text: #""\x""#, offset: 1),
        Refused(text: #""\u12g4""#, offset: 5),
        Refused(text: #""\u12""#, offset: 3),
        Refused(text: #""\ud83d""#, offset: 1),
        Refused(text: #""\ud83dx""#, offset: 1),
        Refused(text: #""\ude00""#, offset: 1),
        Refused(text: #""\ud83d\u0041""#, offset: 1),
    ]

    @Test(arguments: refused)
    func refuses(_ c: Refused) {
        #expect(throws: JSONParseError.self) { try parse(c.text) }
        do {
            _ = try parse(c.text)
        } catch {
            #expect(error.offset == c.offset, "\(error)")
        }
    }

    @Test func refusesInvalidUTF8InStrings() {
        for bytes: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]] {
            #expect(throws: JSONParseError.self) { try parse(bytes: [0x22] + bytes + [0x22]) }
            #expect(throws: JSONParseError.self) { try parse(bytes: Array(#""a\n"#.utf8) + bytes + [0x22]) }
        }
    }

    /// The parser decodes strings on the standard library's fast path and tells invalid input by the
    /// repaired bytes: it must accept and refuse exactly what `String(validating:as:)` does, for every
    /// sequence of one and two bytes and for four-byte ones around every kind of lead.
    @Test func decodesStringsExactlyAsValidatingDoes() {
        func agrees(_ bytes: [UInt8]) -> Bool {
            let expected = String(validating: bytes, as: UTF8.self)
            let isASCII = bytes.allSatisfy { $0 < 0x80 }
            return bytes.withUnsafeBytes { JSONParser.string($0, isASCII: isASCII) } == expected
        }
        var disagreements: [[UInt8]] = []
        for first in 0...255 {
            if !agrees([UInt8(first)]) { disagreements.append([UInt8(first)]) }
            for second in 0...255 where !agrees([UInt8(first), UInt8(second)]) {
                disagreements.append([UInt8(first), UInt8(second)])
            }
        }
        let leads: [UInt8] = [0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        let next: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        for a in leads {
            for b in next {
                for c in next {
                    for d in next {
                        for bytes in [[a, b, c, d], [0x41, a, b, c, d, 0x41]] where !agrees(bytes) {
                            disagreements.append(bytes)
                        }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }

    /// Bytes the grammar does not allow outside strings (a byte order mark, NUL, UTF-16) are refused,
    /// where Foundation guesses an encoding or skips them.
    @Test func refusesBytesOutsideTheGrammar() {
        for bytes: [UInt8] in [
            [0xEF, 0xBB, 0xBF, 0x31], [0x31, 0x00], [0x00, 0x5B, 0x00, 0x5D], [0x31, 0x20, 0xFF],
        ] {
            #expect(throws: JSONParseError.self) { try parse(bytes: bytes) }
        }
    }

    @Test func nestingIsCappedAtTheDocumentedDepth() throws {
        let depth = JSONValue.maximumNestingDepth
        var deepest = try parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        for _ in 1..<depth {
            guard case .array(let inner) = deepest, inner.count == 1 else { break }
            deepest = inner[0]
        }
        #expect(deepest == .array([]))
        #expect(throws: JSONParseError.self) {
            try parse(String(repeating: #"{"a":"#, count: depth + 1) + "1" + String(repeating: "}", count: depth + 1))
        }
        let hostile = String(repeating: "[", count: 100_000)
        do {
            _ = try parse(hostile)
            Issue.record("100,000 open brackets were accepted")
        } catch {
            #expect(error.offset == depth)
        }
    }

    /// Foundation's decoder into `JSONValue` takes about 0.7 s for one 512-deep body of 2 KB; the
    /// parser must stay linear, or a handful of small frames would occupy every core.
    @Test func deepNestingCostsLinearTime() throws {
        let depth = JSONValue.maximumNestingDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<20 { _ = try parse(text) }
        }
        #expect(elapsed < .seconds(1), "20 bodies nested \(depth) deep took \(elapsed)")
    }

    @Test func everyTruncationOfADocumentIsRefused() throws {
        let text =
            #"{"model":"m","messages":[{"role":"user","content":"h\u00e9 \"x\""}],"n":-1.5e2,"ok":[true,false,null]}"#
        let bytes = Array(text.utf8)
        #expect(try parse(bytes: bytes)["n"] == .number(-150))
        for count in 0..<bytes.count {
            let prefix = Array(bytes[0..<count])
            // A prefix ending inside the number may itself be a number only at the top level; here
            // every proper prefix leaves a container open.
            #expect(throws: JSONParseError.self, "prefix of \(count) bytes") { try parse(bytes: prefix) }
        }
    }

    @Test func parsesStringsAndBuffersAlike() throws {
        let text = #"{"a":[1,"two",{"three":3.5}]}"#
        var buffer = ByteBuffer(string: "xx" + text)
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(try JSONValue(parsing: buffer) == parse(text))
    }
}
