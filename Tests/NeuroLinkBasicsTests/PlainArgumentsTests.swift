import NeuroLinkBasics
import Testing

@Suite struct PlainArgumentsTests {
    @Test func optionsInBothFormsAndWords() throws {
        let plain = try #require(PlainArguments(["--a", "1", "word", "--b=2"], options: ["--a", "--b"]))
        #expect(plain.options == ["--a": "1", "--b": "2"])
        #expect(plain.words == ["word"])
        let empty = try #require(PlainArguments([], options: ["--a"]))
        #expect(empty.options.isEmpty && empty.words.isEmpty)
    }

    @Test(
        arguments: [
            ["--c", "1"], ["--a"], ["--a", "--b", "1"], ["--a="], ["--a", "1", "--a", "2"], ["-h"], ["--a", "-1"],
        ] as [[String]]
    )
    func anythingElseIsNotPlain(_ arguments: [String]) {
        #expect(PlainArguments(arguments, options: ["--a", "--b"]) == nil)
    }
}
