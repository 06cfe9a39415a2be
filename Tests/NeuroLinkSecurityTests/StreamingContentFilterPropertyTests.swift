import NeuroLinkSecurity
import NeuroLinkTestSupport
import Testing

@Suite("Streaming content filtering is exact")
struct StreamingContentFilterPropertyTests {
    static let termRules = ContentFilterRules(rules: [
        .term("forbidden", id: "t0"),
        .term("secret project", id: "t1", action: .replace(with: "<project>")),
        .term("über", id: "t2"),
        .term("ab", id: "t3", wholeWord: false, action: .replace(with: "_")),
        .term("halt now", id: "t4", action: .stop),
    ])
    static let patternRules = ContentFilterRules(rules: [
        .term("forbidden", id: "t0"),
        .pattern(#"#[0-9]{2,6}"#, maxMatchLength: 8, id: "p0"),
        .pattern("x+y", maxMatchLength: 5, id: "p1", caseInsensitive: true),
        .pattern("日本", maxMatchLength: 6, id: "p2", action: .stop),
    ])
    static let fragments = [
        "forbidden", "Forbidden", "FORBIDDEN", "forbiddenness", "secret", "project", "secret project",
        "Secret  Project", "über", "ÜBER", "Über", "uber", "ab", "abab", "halt", "now", "halt now", "#12",
        "#1234567", "xxy", "XY", "x", "日本", "日", "本", "café", "e\u{301}", "👨‍👩‍👧‍👦", "🏳️‍🌈", "_", " ", "  ",
        ", ", ".", "\n", "a", "the", "words", "123",
    ]

    @Test(arguments: [(0, false), (1, false), (2, true)])
    func streamingMatchesWholeText(seed: UInt64, withPatterns: Bool) throws {
        let rules = withPatterns ? Self.patternRules : Self.termRules
        let whole = try ContentFilter(rules: rules)
        var random = RedactionTestRandom(seed: 0xF117 + seed)
        for _ in 0..<(withPatterns ? 300 : 1_000) {
            var text = ""
            for _ in 0..<(1 + random.below(14)) {
                text += random.pick(Self.fragments)
                if random.chance(60) { text += random.pick([" ", ", ", "\n", ""]) }
            }
            let expected = whole.apply(text)

            var byBytes = try StreamingContentFilter(rules: rules)
            let bytes = Array(text.utf8)
            var output: [UInt8] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + 1 + random.below(9))
                output += byBytes.feed(utf8: bytes[start..<end])
                #expect(byBytes.heldByteCount <= byBytes.maximumHeldBytes)
                start = end
            }
            output += byBytes.finishUTF8()
            #expect(String(decoding: output, as: UTF8.self) == expected.text, "bytes of \(text.debugDescription)")
            #expect(byBytes.stop == expected.stop)
            #expect(byBytes.replacementCount == expected.replacementCount)

            var byScalars = try StreamingContentFilter(rules: rules)
            let scalars = Array(text.unicodeScalars)
            var streamed = ""
            start = 0
            while start < scalars.count {
                let end = min(scalars.count, start + 1 + random.below(6))
                var piece = ""
                piece.unicodeScalars.append(contentsOf: scalars[start..<end])
                streamed += byScalars.feed(piece)
                start = end
            }
            streamed += byScalars.finish()
            #expect(streamed == expected.text, "scalars of \(text.debugDescription)")
            #expect(byScalars.stop == expected.stop)
        }
    }
}
