import NeuroLinkSecurity
import NeuroLinkTestSupport
import Testing

/// Streaming stays exact on input that is not valid UTF-8 (stray continuation bytes, truncated
/// sequences, overlong forms): such bytes pass through unchanged in both forms.
@Suite("Arbitrary bytes")
struct ArbitraryBytesTests {
    static let alphabet: [[UInt8]] = [
        Array("a@b.io ".utf8), Array("10.0.0.1 ".utf8), Array("4111 1111 1111 1111 ".utf8), Array("forbidden ".utf8),
        Array("é".utf8), Array("日".utf8), [0x80], [0xBF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F], [0xC0, 0xAF],
        [0xED, 0xA0, 0x80],
        [0xFF], [0x20], Array("sk-".utf8), [0x2D], Array("::1".utf8),
    ]

    private static func randomBytes(_ random: inout RedactionTestRandom) -> [UInt8] {
        (0..<(1 + random.below(20))).flatMap { _ in random.pick(alphabet) }
    }

    private static func pieces(of bytes: [UInt8], _ random: inout RedactionTestRandom) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 1 + random.below(7))
            result.append(bytes[start..<end])
            start = end
        }
        return result
    }

    @Test func redactionIsExactOnArbitraryBytes() {
        var random = RedactionTestRandom(seed: 0xBAD)
        let whole = Redactor()
        for _ in 0..<1_000 {
            let bytes = Self.randomBytes(&random)
            var redactor = StreamingRedactor()
            var output: [UInt8] = []
            for piece in Self.pieces(of: bytes, &random) {
                output += redactor.feed(utf8: piece)
            }
            output += redactor.finishUTF8()
            let expected = whole.redact(utf8: bytes)
            #expect(output == expected.bytes)
            #expect(redactor.counts == expected.counts)
        }
    }

    @Test func filteringIsExactOnArbitraryBytes() throws {
        var random = RedactionTestRandom(seed: 0xBADF)
        let rules = ContentFilterRules(rules: [
            .term("forbidden", id: "f"), .term("é", id: "e", wholeWord: false),
            .pattern("[0-9]+", maxMatchLength: 6, id: "n"),
        ])
        let whole = try ContentFilter(rules: rules)
        for _ in 0..<500 {
            let bytes = Self.randomBytes(&random)
            var filter = try StreamingContentFilter(rules: rules)
            var output: [UInt8] = []
            for piece in Self.pieces(of: bytes, &random) {
                output += filter.feed(utf8: piece)
            }
            output += filter.finishUTF8()
            let expected = whole.apply(utf8: bytes)
            #expect(output == expected.bytes)
            #expect(filter.replacementCount == expected.replacementCount)
        }
    }
}
