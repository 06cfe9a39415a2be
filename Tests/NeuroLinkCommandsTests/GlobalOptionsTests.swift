import ArgumentParser
import Testing

@testable import NeuroLinkCommands

@Suite struct GlobalOptionsTests {
    @Test(
        arguments: [
            (["--socket", "/x", "status"], ["status", "--socket", "/x"]),
            (["--socket=/x", "stream", "hi"], ["stream", "--socket=/x", "hi"]),
            (["--socket", "/x", "stream", "-m", "gpt", "hi"], ["stream", "--socket", "/x", "-m", "gpt", "hi"]),
            (["--socket", "/a", "--socket=/b", "health"], ["health", "--socket", "/a", "--socket=/b"]),
            (["status"], ["status"]),
            (["stream", "--socket", "/x", "hi"], ["stream", "--socket", "/x", "hi"]),
            (["generate", "-p", "openai", "hello"], ["generate", "-p", "openai", "hello"]),
            ([], []),
            (["--socket"], ["--socket"]),
            (["--socket", "/x"], ["--socket", "/x"]),
            (["--help"], ["--help"]),
            (["--version", "--socket", "/x", "status"], ["--version", "--socket", "/x", "status"]),
            // A command group: after the nested subcommand, where its options are.
            (
                ["--socket", "/x", "analytics", "report", "--by", "model"],
                ["analytics", "report", "--socket", "/x", "--by", "model"]
            ),
            (["--socket", "/x", "analytics", "--help"], ["analytics", "--socket", "/x", "--help"]),
        ] as [([String], [String])]
    )
    func reorderGlobalOptions(_ input: [String], _ expected: [String]) {
        #expect(NLCtl.reorderGlobalOptions(input) == expected)
    }

    @Test func reorderedArgumentsParse() throws {
        let arguments = NLCtl.reorderGlobalOptions(["--socket", "/tmp/n.sock", "status"])
        let command = try NLCtl.parseAsRoot(arguments)
        let status = try #require(command as? StatusCommand)
        #expect(status.connection.socket == "/tmp/n.sock")
    }
}
