import NeuroLinkProviders
import Testing

/// Feeds `pieces` to a fresh splitter; returns the lines as text and the unterminated remainder.
private func split(_ pieces: [[UInt8]], maxLineBytes: Int = 1024) throws -> (lines: [String], remainder: String?) {
    var splitter = NDJSONSplitter(maxLineBytes: maxLineBytes)
    var lines: [[UInt8]] = []
    for piece in pieces { try splitter.feed(piece, into: &lines) }
    let remainder = splitter.takeRemainder()
    return (lines.map { String(decoding: $0, as: UTF8.self) }, remainder.map { String(decoding: $0, as: UTF8.self) })
}

@Suite struct NDJSONSplitterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: String
        var lines: [String]
        var remainder: String? = nil
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "LF", input: "{\"a\":1}\n{\"b\":2}\n", lines: [#"{"a":1}"#, #"{"b":2}"#]),
        Case(name: "CRLF", input: "{\"a\":1}\r\n{\"b\":2}\r\n", lines: [#"{"a":1}"#, #"{"b":2}"#]),
        Case(name: "mixed", input: "1\r\n2\n3\r\n", lines: ["1", "2", "3"]),
        Case(name: "blank lines", input: "\n\r\n1\n \t\n\n2\n", lines: ["1", "2"]),
        Case(name: "lone CR is content", input: "a\rb\n", lines: ["a\rb"]),
        Case(name: "unterminated last line", input: "1\n{\"done\":true}", lines: ["1"], remainder: #"{"done":true}"#),
        Case(name: "unterminated CR", input: "1\n2\r", lines: ["1"], remainder: "2"),
        Case(
            name: "unicode",
            input: "{\"t\":\"Zürich 🌦 日本\"}\n{\"t\":\"é\"}\n",
            lines: [#"{"t":"Zürich 🌦 日本"}"#, #"{"t":"é"}"#]
        ),
        Case(name: "empty", input: "", lines: []),
        Case(name: "only blanks", input: "\n\n  ", lines: []),
    ]

    @Test(arguments: cases)
    func splitsWhole(_ c: Case) throws {
        let result = try split([Array(c.input.utf8)])
        #expect(result.lines == c.lines)
        #expect(result.remainder == c.remainder)
    }

    @Test(arguments: cases)
    func splitAtEveryByte(_ c: Case) throws {
        let bytes = Array(c.input.utf8)
        for offset in 0...bytes.count {
            let result = try split([Array(bytes[..<offset]), Array(bytes[offset...])])
            #expect(result.lines == c.lines, "split at \(offset)")
            #expect(result.remainder == c.remainder, "split at \(offset)")
        }
    }

    @Test(arguments: cases)
    func byteByByte(_ c: Case) throws {
        let result = try split(Array(c.input.utf8).map { [$0] })
        #expect(result.lines == c.lines)
        #expect(result.remainder == c.remainder)
    }

    @Test func linesAreHandedOutAsSoonAsTheyEnd() throws {
        var splitter = NDJSONSplitter()
        var lines: [[UInt8]] = []
        try splitter.feed(Array("ab".utf8), into: &lines)
        #expect(lines.isEmpty)
        #expect(splitter.hasPartialLine)
        try splitter.feed(Array("c\nd".utf8), into: &lines)
        #expect(lines == [Array("abc".utf8)])
        #expect(splitter.hasPartialLine)
        try splitter.feed(Array("\n".utf8), into: &lines)
        #expect(lines == [Array("abc".utf8), Array("d".utf8)])
        #expect(!splitter.hasPartialLine)
        #expect(splitter.takeRemainder() == nil)
    }

    @Test func utf8SplitInsideACharacterIsWholeAgain() throws {
        let bytes = Array("🌦\n".utf8)  // four bytes of emoji, then LF
        var splitter = NDJSONSplitter()
        var lines: [[UInt8]] = []
        try splitter.feed(bytes[..<2], into: &lines)
        try splitter.feed(bytes[2...], into: &lines)
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["🌦"])
    }

    @Test(arguments: [
        ("12345\n", true), ("12345\r\n", true), ("12345", true), ("12345\r", true),
        ("123456\n", false), ("123456\r\n", false), ("123456", false), ("1\n123456\n2\n", false),
    ])
    func lineLengthLimit(_ input: String, _ accepted: Bool) {
        let bytes = Array(input.utf8)
        for offset in 0...bytes.count {
            let outcome = Result { try split([Array(bytes[..<offset]), Array(bytes[offset...])], maxLineBytes: 5) }
            switch outcome {
            case .success: #expect(accepted, "split at \(offset)")
            case .failure(let error):
                #expect(!accepted, "split at \(offset)")
                #expect((error as? NDJSONSplitter.LineTooLong)?.maxLineBytes == 5)
            }
        }
    }

    @Test func defaultLimitIsEightMebibytes() {
        #expect(NDJSONSplitter().maxLineBytes == 8 * 1024 * 1024)
    }
}
