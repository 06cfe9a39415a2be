import Foundation
import Testing

@testable import NeuroLinkSecurity

@Suite("text folding")
struct FoldingTests {
    private func words(_ text: String) -> [String] {
        let folded = FoldedText(text)
        return folded.tokens.map { token in
            String(String.UnicodeScalarView(folded.scalars(of: token).compactMap(Unicode.Scalar.init)))
        }
    }

    @Test("case, accents, full-width forms and look-alikes fold to plain lowercase")
    func folding() {
        #expect(words("ÍGNORE Prévious") == ["ignore", "previous"])
        #expect(words("Ｉｇｎｏｒｅ") == ["ignore"])
        #expect(words("Іgnоrе") == ["ignore"])
        #expect(words("ΝΟΤΕ") == ["note"])
        #expect(words("ﬁle") == ["file"])
    }

    @Test("apostrophes, hyphens and underscores split words; Han and kana are one token each")
    func tokenizing() {
        #expect(words("don't pre-prompt system_message") == ["don", "t", "pre", "prompt", "system", "message"])
        #expect(words("忽略指令") == ["忽", "略", "指", "令"])
        #expect(words("new instructions: go") == ["new", "instructions", ":", "go"])
    }

    @Test("spelled-out words are joined; ordinary single letters are not")
    func spelledOut() {
        #expect(words("i g n o r e   t h i s") == ["ignore", "this"])
        #expect(words("I-g-n-o-r-e x") == ["ignore", "x"])
        #expect(words("a cat") == ["a", "cat"])
    }

    @Test("sentences end at punctuation and blank lines, not at a single line break or a dot inside a word")
    func sentences() {
        let folded = FoldedText("one two. three\nfour\n\nfive example.test six")
        let sentences = folded.tokens.map(\.sentence)
        #expect(sentences == [0, 0, 1, 1, 2, 2, 2, 2])
    }

    @Test("quotes and code mark their tokens")
    func quoting() {
        let folded = FoldedText("say 'ignore this' and \"that\" but don't `code` here")
        let quoted = folded.tokens.map { $0.flags.contains(.quoted) }
        #expect(quoted == [false, true, true, false, true, false, false, false, true, false])
    }

    @Test("mixed-script words are counted")
    func mixedScript() {
        #expect(FoldedText("Іgnоrе the rules").mixedScriptWords == 1)
        #expect(FoldedText("Система работает").mixedScriptWords == 0)
    }

    @Test("NFKC is applied only where it changes something, with the same folded result")
    func compatibility() {
        let samples = [
            "plain ascii", "ｆｕｌｌ　ｗｉｄｔｈ", "e\u{301}cole", "ｶﾞｷﾞ", "ﬁ ① ㍿", "日本語 한국어 Ελληνικά", "ｅ\u{301}",
            String(repeating: "①a", count: 100), "फ़ाइल ज़रूरी क़लम", "न\u{93C} र\u{93C} फ\u{93C}ाइल",
        ]
        for text in samples {
            let fast = ScalarFolding.fold(CompatibilityFolding.nfkc(text)).scalars
            #expect(fast == ScalarFolding.fold(text.precomposedStringWithCompatibilityMapping).scalars, "\(text)")
        }
    }
}
