import NeuroLinkSecurity
import Testing

/// Streams `pieces` through a filter and returns the concatenated output and the filter.
private func stream(
    _ pieces: [String],
    rules: ContentFilterRules
) throws -> (text: String, filter: StreamingContentFilter) {
    var filter = try StreamingContentFilter(rules: rules)
    var output = ""
    for piece in pieces {
        output += filter.feed(piece)
    }
    output += filter.finish()
    return (output, filter)
}

@Suite("Content filters")
struct ContentFilterTests {
    static let blocklist = ContentFilterRules(rules: [
        .term("forbidden", id: "forbidden"),
        .term("secret project", id: "project", action: .replace(with: "[REDACTED PROJECT]")),
        .term("Über", id: "uber"),
    ])

    @Test func aTermSplitAcrossChunksIsReplaced() throws {
        let result = try stream(["This is Forb", "idden know", "ledge"], rules: Self.blocklist)
        #expect(result.text == "This is [FILTERED] knowledge")
        #expect(result.filter.replacementCount == 1)
        #expect(try ContentFilter(rules: Self.blocklist).apply("This is Forbidden knowledge").text == result.text)
    }

    @Test func termsAreCaseInsensitiveIncludingNonASCII() throws {
        let filter = try ContentFilter(rules: Self.blocklist)
        #expect(filter.apply("FORBIDDEN, forbidden, FoRbIdDeN.").text == "[FILTERED], [FILTERED], [FILTERED].")
        #expect(filter.apply("über ÜBER Über").text == "[FILTERED] [FILTERED] [FILTERED]")
        #expect(filter.apply("the Secret Project, again").text == "the [REDACTED PROJECT], again")
    }

    @Test func termsMatchWholeWordsByDefault() throws {
        let filter = try ContentFilter(rules: Self.blocklist)
        #expect(
            filter.apply("unforbidden forbiddenness forbidden_x xforbidden").text
                == "unforbidden forbiddenness forbidden_x xforbidden"
        )
        #expect(filter.apply("(forbidden)").text == "([FILTERED])")
        // A combining mark continues the word: "forbidden" + U+0301 is not the whole word.
        #expect(filter.apply("forbidden\u{301}").replacementCount == 0)
        let anywhere = try ContentFilter(rules: ContentFilterRules(rules: [.term("bad", id: "b", wholeWord: false)]))
        #expect(anywhere.apply("badge subbad").text == "[FILTERED]ge sub[FILTERED]")
    }

    @Test func aStopRuleReleasesTheTextBeforeItAndDropsTheRest() throws {
        let rules = ContentFilterRules(rules: [
            .term("forbidden", id: "soft"),
            .term("launch codes", id: "hard-stop", action: .stop),
        ])
        var filter = try StreamingContentFilter(rules: rules)
        var output = filter.feed("A forbidden tale: the launch co")
        #expect(filter.stop == nil)
        output += filter.feed("des are 0000. More text")
        #expect(output == "A [FILTERED] tale: the ")
        #expect(filter.stop == ContentFilterStop(ruleIndex: 1, ruleID: "hard-stop"))
        #expect(filter.feed("ignored").isEmpty)
        #expect(filter.finish().isEmpty)
        #expect(filter.heldByteCount == 0)
        let whole = try ContentFilter(rules: rules).apply("A forbidden tale: the launch codes are 0000. More text")
        #expect(whole.text == output)
        #expect(whole.stop == filter.stop)
    }

    @Test func aStopRuleWinsOverALongerReplacement() throws {
        let rules = ContentFilterRules(rules: [
            .term("red alert now", id: "long"),
            .term("red", id: "stop", action: .stop),
        ])
        let result = try ContentFilter(rules: rules).apply("code red alert now")
        #expect(result.text == "code ")
        #expect(result.stop?.ruleID == "stop")
    }

    @Test func theLongestReplacementWinsAndTiesGoToTheFirstRule() throws {
        let rules = ContentFilterRules(rules: [
            .term("new", id: "a", action: .replace(with: "<a>")),
            .term("new york", id: "b", action: .replace(with: "<b>")),
            .term("new", id: "c", action: .replace(with: "<c>")),
        ])
        #expect(try ContentFilter(rules: rules).apply("new york, new").text == "<b>, <a>")
    }

    @Test func aPatternIsMatchedWithinItsWindowAcrossChunks() throws {
        let rules = ContentFilterRules(rules: [.pattern(#"order #[0-9]{6}"#, maxMatchLength: 16, id: "order")])
        let text = "my order #123456 shipped, order #12 did not"
        let expected = "my [FILTERED] shipped, order #12 did not"
        #expect(try ContentFilter(rules: rules).apply(text).text == expected)
        let pieces = ["my ord", "er #12", "3", "456 shipped, order #12 did not"]
        #expect(try stream(pieces, rules: rules).text == expected)
    }

    @Test func aPatternNeverSeesMoreThanItsWindow() throws {
        // `a+` with a 4-byte window matches four at a time, in both forms.
        let rules = ContentFilterRules(rules: [.pattern("a+", maxMatchLength: 4, id: "a", action: .replace(with: "#"))])
        #expect(try ContentFilter(rules: rules).apply("aaaaaa b").text == "## b")
        #expect(try stream(["aa", "aa", "aa b"], rules: rules).text == "## b")
    }

    @Test func aPatternHoldsAtMostItsWindow() throws {
        let rules = ContentFilterRules(rules: [.pattern("[0-9]{3}-[0-9]{4}", maxMatchLength: 8, id: "n")])
        var filter = try StreamingContentFilter(rules: rules)
        var largest = 0
        for character in "Call 555-1234 or write. 日本語 and more text here." {
            _ = filter.feed(String(character))
            largest = max(largest, filter.heldByteCount)
        }
        #expect(largest <= filter.maximumHeldBytes)
        #expect(largest >= 8)
        #expect(filter.maximumHeldBytes == 11)
    }

    @Test func termRulesReleasePlainTextAtOnce() throws {
        var filter = try StreamingContentFilter(rules: Self.blocklist)
        #expect(filter.feed("Nothing to see here; ") == "Nothing to see here; ")
        #expect(filter.feed("a for") == "a ")
        #expect(filter.heldByteCount == 3)
        #expect(filter.feed("k in the road") == "fork in the road")
    }

    @Test func caseInsensitivePatterns() throws {
        let rules = ContentFilterRules(rules: [
            .pattern("drop table", maxMatchLength: 10, id: "sql", caseInsensitive: true)
        ])
        #expect(try ContentFilter(rules: rules).apply("DROP TABLE users").text == "[FILTERED] users")
    }

    @Test func invalidRulesAreRejected() {
        #expect(throws: ContentFilterError.emptyTerm(ruleID: "e")) {
            try ContentFilterRules(rules: [.term("", id: "e")]).validate()
        }
        #expect(throws: ContentFilterError.invalidMaxMatchLength(ruleID: "w", limit: 4096)) {
            try ContentFilterRules(rules: [.pattern("a", maxMatchLength: 0, id: "w")]).validate()
        }
        #expect {
            try ContentFilterRules(rules: [.pattern("(unclosed", maxMatchLength: 8, id: "p")]).validate()
        } throws: { error in
            guard case .invalidPattern(let id, _) = error as? ContentFilterError else { return false }
            return id == "p"
        }
    }

    @Test func bytesSplitInsideCharactersStayExact() throws {
        let text = "Ünïcödé forbidden 日本語 ÜBER 👍🏽 end"
        let bytes = Array(text.utf8)
        var filter = try StreamingContentFilter(rules: Self.blocklist)
        var output: [UInt8] = []
        for byte in bytes {
            let chunk = filter.feed(utf8: [byte])
            #expect(Array(String(decoding: chunk, as: UTF8.self).utf8) == chunk)
            output += chunk
        }
        output += filter.finishUTF8()
        #expect(String(decoding: output, as: UTF8.self) == "Ünïcödé [FILTERED] 日本語 [FILTERED] 👍🏽 end")
    }
}
