import NeuroLinkProtocol

/// The plain forms of the two commands that shells and monitoring run in loops, `nlctl --version` and
/// `nlctl health [--socket PATH]`, run without ArgumentParser: building its model of the command tree
/// by reflection was about a quarter of their start-up. Every other form (`--help`, a second
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
        var rest = arguments[...]
        var named = false
        var socket: String?
        while let argument = rest.popFirst() {
            if argument == "health", !named {
                named = true
            } else if argument == "--socket", socket == nil, let value = rest.popFirst() {
                socket = value
            } else if argument.hasPrefix("--socket="), socket == nil {
                socket = String(argument.dropFirst("--socket=".count))
            } else {
                return nil
            }
        }
        guard named, socket.map({ !$0.isEmpty && !$0.hasPrefix("-") }) ?? true else { return nil }
        self = .health(socket: socket)
    }

    func run() async throws {
        switch self {
        case .version: try Terminal.standardOutput(ProtocolInfo.release + "\n")
        case .health(let socket): try await HealthCommand.check(socket: socket)
        }
    }
}
