import ArgumentParser
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCommands

@Suite struct ShortcutTests {
    @Test(
        arguments: [
            (["--version"], .version),
            (["health"], .health(socket: nil)),
            (["health", "--socket", "/run/n.sock"], .health(socket: "/run/n.sock")),
            (["--socket", "/run/n.sock", "health"], .health(socket: "/run/n.sock")),
            (["health", "--socket=/run/n.sock"], .health(socket: "/run/n.sock")),
            (["--socket=/run/n.sock", "health"], .health(socket: "/run/n.sock")),
            (["--socket", "health", "health"], .health(socket: "health")),
        ] as [([String], Shortcut)]
    )
    func plainFormsAreShortcuts(_ arguments: [String], _ expected: Shortcut) throws {
        #expect(Shortcut(arguments) == expected)
        // ArgumentParser reads them the same way.
        if case .health(let socket) = expected {
            let command = try #require(try NLCtl.parseAsRoot(NLCtl.reorderGlobalOptions(arguments)) as? HealthCommand)
            #expect(command.connection.socket == socket)
        }
    }

    @Test(
        arguments: [
            [], ["--help"], ["health", "--help"], ["-h"], ["--version", "health"], ["health", "health"],
            ["health", "--socket"], ["--socket", "/x"], ["health", "--socket", "--help"], ["health", "--socket="],
            ["health", "--socket", "/a", "--socket", "/b"], ["health", "--socket=/a", "--socket=/b"],
            ["health", "extra"], ["status"], ["health", "--json"], ["--version", "--socket", "/x"],
        ] as [[String]]
    )
    func everyOtherFormIsLeftToArgumentParser(_ arguments: [String]) {
        #expect(Shortcut(arguments) == nil)
    }

    @Test func theShortcutPrintsArgumentParsersVersion() {
        #expect(NLCtl.configuration.version == ProtocolInfo.release)
    }
}
