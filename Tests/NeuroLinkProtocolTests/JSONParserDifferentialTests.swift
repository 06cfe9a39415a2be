import Foundation
import NIOCore
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// The parser against Foundation's `JSONDecoder`, which the daemon used before: on generated
/// documents both must give the same value, and on mutated ones they must agree except where the
/// parser is deliberately stricter or Foundation is known to be wrong (each case named below).
@Suite struct JSONParserDifferentialTests {
    private func foundation(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    private func ours(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONValue(parsing: ByteBuffer(bytes: bytes))
    }

    @Test func generatedDocumentsParseAsFoundationParsesThem() throws {
        var random = SeededGenerator(seed: 0x4A53_4F4E)
        let encoder = JSONEncoder()
        for _ in 0..<2_000 {
            let value = Self.randomValue(depth: 0, using: &random)
            let bytes = Array(try encoder.encode(value))
            let parsed = ours(bytes)
            #expect(parsed == value, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(parsed == foundation(bytes))
        }
    }

    /// The writer, read back by the parser and by Foundation, gives the value written; and it
    /// writes what `JSONEncoder` writes, but for the order of members.
    @Test func writtenValuesReadBackAsWritten() throws {
        var random = SeededGenerator(seed: 0x7772_6974)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        for _ in 0..<2_000 {
            let value = Self.randomValue(depth: 0, using: &random)
            var buffer = ByteBuffer()
            buffer.writeJSONValue(value)
            let written = Array(buffer.readableBytesView)
            #expect(ours(written) == value, "\(String(buffer: buffer))")
            #expect(foundation(written) == value)
            if case .object = value { continue }
            if case .array = value { continue }
            #expect(written == Array(try encoder.encode(value)), "\(String(buffer: buffer))")
        }
    }

    @Test func mutatedDocumentsAgreeWithFoundationOutsideTheNamedDifferences() throws {
        var random = SeededGenerator(seed: 0x6D75_7461)
        let encoder = JSONEncoder()
        var disagreements = 0
        for _ in 0..<20_000 {
            var bytes = Array(try encoder.encode(Self.randomValue(depth: 0, using: &random)))
            for _ in 0...Int.random(in: 0...2, using: &random) { Self.mutate(&bytes, using: &random) }
            let (mine, theirs) = (ours(bytes), foundation(bytes))
            if mine == theirs { continue }
            disagreements += 1
            let text = String(decoding: bytes, as: UTF8.self)
            switch (mine, theirs) {
            case (.some(let mine), .some(let theirs)):
                Issue.record("different values for \(text.debugDescription): \(mine) vs \(theirs)")
            case (.some, .none):
                #expect(Self.hasZeroWithExponent(bytes), "only the parser accepts \(text.debugDescription)")
            case (.none, .some):
                #expect(Self.isOutsideTheGrammar(bytes), "only Foundation accepts \(text.debugDescription)")
            case (.none, .none): break
            }
        }
        // The mutations must actually reach the named differences, or this test checks nothing.
        #expect(disagreements > 0)
    }

    /// Foundation refuses numbers with an exponent whose value is, or rounds to, zero (`0e5`,
    /// `[0E1]`, `4.5e-2929`); RFC 8259 allows them, and the parser reads them as zero.
    static func hasZeroWithExponent(_ bytes: [UInt8]) -> Bool {
        for (index, byte) in bytes.enumerated() where byte | 0x20 == UInt8(ascii: "e") {
            var start = index
            while start > 0, isNumberByte(bytes[start - 1]) { start -= 1 }
            var end = index + 1
            while end < bytes.count, isNumberByte(bytes[end]) { end += 1 }
            if let value = Double(String(decoding: bytes[start..<end], as: UTF8.self)), value == 0 { return true }
        }
        return false
    }

    /// Foundation skips a byte order mark, guesses UTF-16 from NUL bytes, ignores bytes after a
    /// NUL and accepts a comma before a closing bracket; the parser reads strict UTF-8 JSON only,
    /// as the protocol specifies.
    static func isOutsideTheGrammar(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(0) || bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return true }
        let significant = bytes.filter { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        return zip(significant, significant.dropFirst()).contains { pair in
            pair.0 == UInt8(ascii: ",") && (pair.1 == UInt8(ascii: "]") || pair.1 == UInt8(ascii: "}"))
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || Array("+-.eE".utf8).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Bytes a mutation inserts: the grammar's own, a few that are never valid, and a UTF-8 lead.
    private static let alphabet = Array(#"{}[]":,\ 0123456789eE-+.tfnul/"#.utf8) + [0x00, 0x0A, 0xFF, 0xC3, 0xEF]

    static func mutate(_ bytes: inout [UInt8], using random: inout SeededGenerator) {
        guard !bytes.isEmpty else { return bytes.append(alphabet.randomElement(using: &random) ?? 0) }
        let at = Int.random(in: 0..<bytes.count, using: &random)
        let byte = alphabet.randomElement(using: &random) ?? 0
        switch Int.random(in: 0..<4, using: &random) {
        case 0: bytes[at] = byte
        case 1: bytes.insert(byte, at: at)
        case 2: bytes.remove(at: at)
        default:
            let end = min(bytes.count, at + Int.random(in: 1...8, using: &random))
            bytes.insert(contentsOf: bytes[at..<end], at: at)
        }
    }

    static func randomValue(depth: Int, using random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth < 4 ? 7 : 5), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .number(randomNumber(using: &random))
        case 3, 4: return .string(randomString(using: &random))
        case 5:
            let count = Int.random(in: 0...4, using: &random)
            return .array((0..<count).map { _ in randomValue(depth: depth + 1, using: &random) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                object[randomString(using: &random)] = randomValue(depth: depth + 1, using: &random)
            }
            return .object(object)
        }
    }

    private static func randomNumber(using random: inout SeededGenerator) -> Double {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return Double(Int.random(in: -1_000...1_000, using: &random))
        case 1: return Double(Int64.random(in: -(1 << 53)...(1 << 53), using: &random))
        case 2: return Double.random(in: -1...1, using: &random)
        default:
            let exponent = Double(Int.random(in: -300...300, using: &random))
            return Double.random(in: 1..<10, using: &random) * pow(10, exponent)
        }
    }

    private static let scalars: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "ß", "世", "\u{2028}",
        "\u{FEFF}", "😀", "\u{10FFFF}",
    ]

    private static func randomString(using random: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            text.unicodeScalars.append(scalars.randomElement(using: &random) ?? "a")
        }
        return text
    }
}
