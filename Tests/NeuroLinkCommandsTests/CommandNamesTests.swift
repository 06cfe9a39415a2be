import ArgumentParser
import Testing

@testable import NeuroLinkCommands

/// Every command names itself: a name derived from its Swift type would change with a rename, and deriving it
/// costs `nlctl` a reflection lookup per command at every start (ArgumentParser builds the whole tree).
@Suite struct CommandNamesTests {
    static func commands(under command: any ParsableCommand.Type, path: String) -> [(String, any ParsableCommand.Type)]
    {
        command.configuration.subcommands.flatMap { sub in
            let name = sub.configuration.commandName ?? "?"
            return [("\(path) \(name)", sub)] + commands(under: sub, path: "\(path) \(name)")
        }
    }

    @Test func everyCommandHasAnExplicitName() {
        let all = Self.commands(under: NLCtl.self, path: "nlctl")
        #expect(all.count > 20)
        for (path, command) in all {
            #expect(command.configuration.commandName != nil, "\(path) (\(command)) has no explicit commandName")
        }
    }
}
