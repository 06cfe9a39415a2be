import Foundation
import Testing

@testable import NeuroLinkSecurity

/// The rule file is read with the protocol's JSON parser; a file that is not in its layout is
/// reported with the field at fault.
@Suite struct RuleFileParsingTests {
    /// A minimal valid file, with `phrase` as its only phrase and `extra` members appended.
    static func file(phrase: String, extra: String = tags) -> Data {
        Data(
            """
            {"version": 1, "mentionDamping": 0.3, "reportedDamping": 0.5, "lists": {"l": ["a b", "c*"]},
             "phrases": [\(phrase)],
             "cues": {"meta": [], "mention": [], "reported": [], "reportedToLeads": []},
             "transformCues": {"rot13": [], "reversed": []}, "markers": [{"id": "m", "weight": 1, "text": "<|x|>"}],
             "markerRoles": {"system": ["system"], "assistant": []}, "headers": []\(extra)}
            """.utf8
        )
    }

    static let tags = #", "tags": []"#
    static let goodPhrase = #"{"id": "p", "family": "prompt_leak", "weight": 0.5, "gap": 1, "slots": [["@l"], ["d"]]}"#

    @Test func aValidFileCompiles() throws {
        #expect(try InjectionRules(json: Self.file(phrase: Self.goodPhrase)).phraseRuleCount == 1)
    }

    @Test(arguments: [
        (
            #"{"id": "p", "family": "nope", "weight": 0.5, "gap": 1, "slots": [["a"]]}"#, tags,
            #"phrases[0].family: unknown family "nope""#
        ),
        (
            #"{"id": "p", "family": "prompt_leak", "weight": "high", "gap": 1, "slots": [["a"]]}"#, tags,
            "phrases[0].weight: not a number"
        ),
        (
            #"{"id": "p", "family": "prompt_leak", "weight": 0.5, "gap": 1.5, "slots": [["a"]]}"#, tags,
            "phrases[0].gap: not an integer"
        ),
        (
            #"{"id": "p", "family": "prompt_leak", "weight": 0.5, "gap": 1, "slots": [[7]]}"#, tags,
            "phrases[0].slots[0]: not an array of strings"
        ),
        (
            #"{"id": "p", "family": "prompt_leak", "weight": 0.5, "gap": 1, "slots": [["a"]], "veto": "x"}"#, tags,
            "phrases[0].veto: not an array"
        ),
        (goodPhrase, "", "tags: missing"),
        (goodPhrase, #", "tags": [{"id": "t", "weight": 1}]"#, "tags[0].names: missing"),
        (goodPhrase, #", "tags": [3]"#, "tags[0]: not an object"),
    ])
    func aMalformedFileNamesTheField(phrase: String, extra: String, message: String) {
        let data = Self.file(phrase: phrase, extra: extra)
        #expect(throws: InjectionRuleError.malformedFile(message)) { try InjectionRules(json: data) }
    }

    @Test func invalidJSONIsRefused() {
        #expect(throws: (any Error).self) { try InjectionRules(json: Data(#"{"version": 1,"#.utf8)) }
    }

    /// Every phrase of the shipped file is compiled (counted independently, with JSONSerialization).
    @Test func theShippedFileKeepsEveryPhrase() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/NeuroLinkSecurity/Injection/InjectionPhrases.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let phrases = try #require(object?["phrases"] as? [Any])
        #expect(InjectionRules.default.phraseRuleCount == phrases.count)
    }

    /// The compiler keeps each alternative's terms by this fingerprint of its text: FNV-1a, 64 bits.
    @Test func theCompilersFingerprintIsFNV1a() {
        #expect(RuleCompiler.fingerprint("") == 0xcbf2_9ce4_8422_2325)
        #expect(RuleCompiler.fingerprint("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(RuleCompiler.fingerprint("foobar") == 0x8594_4171_f739_67e8)
        #expect(RuleCompiler.fingerprint("ignore all previous") != RuleCompiler.fingerprint("ignore all previous*"))
    }
}
