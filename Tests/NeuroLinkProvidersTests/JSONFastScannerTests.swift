import Foundation
import Testing

@testable import NeuroLinkProviders

/// Runs `body` over `bytes` and then expects the end; nil when the scanner declines.
private func scan<T>(
    _ bytes: [UInt8],
    _ body: (inout JSONFastScanner) throws(JSONFastScanner.Decline) -> T
) -> T? {
    bytes.withUnsafeBufferPointer { buffer in
        var scanner = JSONFastScanner(buffer)
        do {
            let value = try body(&scanner)
            try scanner.end()
            return value
        } catch {
            return nil
        }
    }
}

private func scan<T>(_ text: String, _ body: (inout JSONFastScanner) throws(JSONFastScanner.Decline) -> T) -> T? {
    scan(Array(text.utf8), body)
}

/// The string the scanner reads from the JSON `text`, or nil when it declines.
private func readString(_ text: String) -> String? {
    readString(Array(text.utf8))
}

private func readString(_ bytes: [UInt8]) -> String? {
    scan(bytes) { (scanner: inout JSONFastScanner) throws(JSONFastScanner.Decline) in try scanner.readOptionalString() }
        ?? nil
}

/// Whether the scanner reads `text` as one value of any kind.
private func skips(_ text: String) -> Bool {
    skips(Array(text.utf8))
}

private func skips(_ bytes: [UInt8]) -> Bool {
    scan(bytes) { (scanner: inout JSONFastScanner) throws(JSONFastScanner.Decline) in try scanner.skipValue() } != nil
}

/// What Foundation makes of the JSON string `text` (nil when it rejects it).
private func foundationString(_ text: String) -> String? {
    try? JSONDecoder().decode(String.self, from: Data(text.utf8))
}

@Suite struct JSONFastScannerTests {
    @Test(arguments: [
        #""plain ascii""#, #""""#, #""a\"b\\c\/d\be\ff\ng\rh\ti""#, #""\u00e9\u4E16\ud83d\ude00 \uD83D\uDE00""#,
        #""\u0000\u001f\u007F""#, #""héllo 世界 👋 é""#, #""\\u0041 is not an escape""#,
        #""escape at the end\n""#, #""\u2028\u2029\uFFFF\uFEFF""#, #""\udbff\udfff""#,
    ])
    func readsStringsAsFoundationDoes(_ json: String) throws {
        let expected = try #require(foundationString(json))
        let read = try #require(readString(json))
        // Byte for byte: `==` on strings would take "é" and "e\u{301}" to be equal.
        #expect(Array(read.utf8) == Array(expected.utf8))
    }

    @Test func unescapesEveryShortEscape() {
        #expect(
            readString(#""\"\\\/\b\f\n\r\t""#).map { Array($0.utf8) } == [
                0x22, 0x5C, 0x2F, 0x08, 0x0C, 0x0A, 0x0D, 0x09,
            ]
        )
        #expect(readString(#""\u00e9""#).map { Array($0.utf8) } == [0xC3, 0xA9])
        #expect(readString(#""\u0800""#).map { Array($0.utf8) } == [0xE0, 0xA0, 0x80])
        #expect(readString(#""\ud83d\ude00""#).map { Array($0.utf8) } == [0xF0, 0x9F, 0x98, 0x80])
        #expect(readString(#""null""#) == "null")
        #expect(readString("null") == nil)
    }

    @Test(arguments: [
        // Lone surrogates: Foundation rejects them; the scanner leaves that to it.
        #""\ud800""#, #""\ud800x""#, #""\ud800\u0041""#, #""\udc00""#, #""\ud800\ud800""#, #""a\udfffb""#,
        // Escapes JSON does not have, or cut short.
        #""\x""#, #""\u12""#, #""\u12g4""#, #""\U0041""#, #""\'""#, #""\"#, #""abc"#, #"""#, "'single'",
    ])
    func declinesMalformedStrings(_ json: String) {
        #expect(readString(json) == nil)
        #expect(!skips("[\(json)]"))
    }

    @Test(arguments: ["42", "true", "{}", "[]"])
    func declinesOtherValuesAsStrings(_ json: String) {
        #expect(readString(json) == nil)
        #expect(skips(json))
    }

    @Test func declinesRawControlCharactersAndBadUTF8() {
        for control in UInt8(0)..<0x20 {
            #expect(readString([0x22, 0x61, control, 0x22]) == nil, "raw \(control)")
        }
        #expect(readString([0x22, 0x7F, 0x22]) == "\u{7F}")
        let malformed: [[UInt8]] = [
            [0xFF], [0x80], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
            [0xF0, 0x80, 0x80, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE4, 0xB8], [0xC3], [0xE4, 0x41, 0x80],
        ]
        for bytes in malformed {
            #expect(readString([0x22] + bytes + [0x22]) == nil, "\(bytes)")
            #expect(!skips([0x5B, 0x22] + bytes + [0x22, 0x5D]), "skipped \(bytes)")
        }
        let wellFormed: [[UInt8]] = [
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xF4, 0x8F, 0xBF, 0xBF],
        ]
        for bytes in wellFormed {
            #expect(readString([0x22] + bytes + [0x22]).map { Array($0.utf8) } == bytes)
        }
    }

    @Test(arguments: [
        "0", "-0", "12", "-1.5", "1e3", "1E-3", "2.5e+10", "123456789012345678901234567890", "1E400",
        "true", "false", "null", #""s""#, "[]", "{}", "[1,[2,[3]],{}]", #"{"a":{"b":[null,{"c":"\u00e9"}]},"d":-0.0}"#,
        " \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \t\r\n\"k\" \t\r\n: \t\r\n2 \t\r\n} \t\r\n] \t\r\n",
        #"{"a":1,"a":2}"#, #"{"\u00e9\n":1,"Ké":2}"#,
    ])
    func skipsValidJSON(_ json: String) {
        #expect(skips(json))
    }

    @Test(arguments: [
        // Numbers Foundation skips unchecked in an unknown key's value, or rejects.
        "01", "-01", "1.", "-", ".5", "1e", "1e+", "+1", "0x1", "1.e3", "--1", "Infinity", "NaN",
        // Literals, structure.
        "tru", "nul", "True", "nulll", "[1,]", "[,1]", "[1 2]", "[", "]", #"{"a":1,}"#, #"{,"a":1}"#, #"{"a" 1}"#,
        #"{"a":1 "b":2}"#, "{1:2}", #"{"a":}"#, #"{"a""#, "{'a':1}", "", " ", "[1]]", "[1]x", "{}{}",
        // Whitespace JSON does not have: form feed, vertical tab, NBSP.
        "[\u{0C}1]", "[\u{0B}1]", "[\u{A0}1]",
    ])
    func declinesInvalidJSON(_ json: String) {
        #expect(!skips(json))
        #expect(!skips(#"{"unknown":\#(json)}"#))
    }

    @Test func limitsNesting() {
        let depth = JSONFastScanner.maxDepth
        #expect(skips(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)))
        #expect(!skips(String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)))
        #expect(skips(String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)))
        #expect(!skips(String(repeating: #"{"a":"#, count: depth + 1) + "1" + String(repeating: "}", count: depth + 1)))
    }

    @Test func declinesEveryTruncation() {
        let json = Array(#"{"a":[1,-2.5e3,true,false,null,{"b":"c\u00e9\"d"}],"e":"😀"}"#.utf8)
        #expect(skips(json))
        for end in 0..<json.count {
            #expect(!skips(Array(json[..<end])), "cut at \(end)")
        }
    }

    @Test func readsKeysThatAreASCIIWithoutEscapes() {
        let keys = scan(#" { "model" : 1 , "x" : [ ] } "#) {
            (scanner: inout JSONFastScanner) throws(JSONFastScanner.Decline) in
            var names: [Bool] = []
            try scanner.beginObject()
            while let key = try scanner.nextKey() {
                names.append(scanner.key(key, is: "model"))
                try scanner.skipValue()
            }
            return names
        }
        #expect(keys == [true, false])
        // `\u006d` is `m`, and U+212A (Kelvin) is `K` to Foundation: such keys decline.
        for json in [#"{"\u006dodel":1}"#, "{\"\u{212A}\":1}", #"{"caf\u00e9":1}"#] {
            let read: Void? = scan(json) { (scanner: inout JSONFastScanner) throws(JSONFastScanner.Decline) in
                try scanner.beginObject()
                while try scanner.nextKey() != nil { try scanner.skipValue() }
            }
            #expect(read == nil, "\(json)")
        }
    }

    @Test(arguments: [("0", 0), ("7", 7), ("42", 42), ("123456789012345678", 123_456_789_012_345_678), (" 3 ", 3)])
    func readsPlainIntegers(_ json: String, _ expected: Int) {
        #expect(
            scan(json) { (scanner: inout JSONFastScanner) throws(JSONFastScanner.Decline) in
                try scanner.readPlainInteger()
            } == expected
        )
    }

    @Test(arguments: ["-1", "-0", "1.0", "1e2", "01", "00", "1234567890123456789", "\"1\"", "null", "1x"])
    func declinesOtherNumbersAsPlainIntegers(_ json: String) {
        #expect(
            scan(json) { (scanner: inout JSONFastScanner) throws(JSONFastScanner.Decline) in
                try scanner.readPlainInteger()
            } == nil
        )
    }
}
