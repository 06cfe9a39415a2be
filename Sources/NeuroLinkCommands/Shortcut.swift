import NeuroLinkBasics
import NeuroLinkProtocol

/// The plain forms of the two commands that shells and monitoring run in loops, `nlctl --version` and
/// `nlctl health [--socket PATH]`, run without ArgumentParser: building its model of the command tree
/// by reflection was about a third of their start-up. Every other form (`--help`, a second
/// `--socket`, a value that looks like an option) is left to ArgumentParser, which then reports it as
/// it would anyway.
enum Shortcut: Equatable {
    case version
    case health(socket: String?)

    /// The shortcut `arguments` (the process arguments after the program name) ask for, if any.
    init?(_ arguments: [String]) {
        if arguments == ["--version"] {
            self = .version
            return
        }
        guard let plain = PlainArguments(arguments, options: ["--socket"]), plain.words == ["health"] else {
            return nil
        }
        self = .health(socket: plain.options["--socket"])
    }

    func run() async throws {
        switch self {
        case .version: try Terminal.standardOutput(ProtocolInfo.release + "\n")
        case .health(let socket): try await HealthCommand.check(socket: socket)
        }
    }
}
