import ArgumentParser
import NIOCore
import NeuroLinkProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `nlctl`: the command-line client of `neurolinkd`.
public struct NLCtl: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "nlctl",
        abstract: "Talk to the NeuroLink daemon.",
        discussion: """
            Exit status: 0 ok, 1 other error, 2 request rejected by the daemon, 3 provider error, 4 provider auth error, \
            5 rate limited, 6 timeout, 7 daemon shutting down, 8 some items of a batch failed, 64 usage error, \
            69 daemon unreachable, \
            74 cannot write the output, 77 socket in an untrusted directory, 130 interrupted, \
            141 output closed by its reader (e.g. piped into head).
            """,
        version: ProtocolInfo.release,
        subcommands: [
            StreamCommand.self, GenerateCommand.self, StatusCommand.self, LimitsCommand.self, HealthCommand.self,
            ProvidersCommand.self, ModelsCommand.self, AnalyticsCommand.self,
            MetricsCommand.self, AlertsCommand.self, TopCommand.self, CacheCommand.self, AuditCommand.self,
            ToolsCommand.self, MemoryCommand.self, BatchCommand.self, ChatCommand.self, KeysCommand.self,
        ]
    )

    public init() {}

    /// Runs `nlctl` with the process arguments. The plain forms of `--version` and `health` run
    /// without ArgumentParser (``Shortcut``). Global options given before the subcommand
    /// (`nlctl --socket PATH status`) are moved after it, where every subcommand accepts them.
    ///
    /// `SIGPIPE` is ignored: a write to a closed pipe fails with `EPIPE` instead of killing nlctl, so
    /// the command can cancel its request and exit with ``NLExit/outputClosed`` (see ``Terminal``).
    public static func runFromCommandLine() async {
        signal(SIGPIPE, SIG_IGN)
        // One connection's socket needs one event loop, not one per core: a thread less to start.
        NIOSingletons.groupLoopCountSuggestion = 1
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            if let shortcut = Shortcut(arguments) {
                try await shortcut.run()
                return
            }
            var command = try await asyncParseAsRoot(reorderGlobalOptions(arguments))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as OutputClosed {
            exit(withError: NLExit.report(error))
        } catch {
            exit(withError: error)
        }
    }

    static func reorderGlobalOptions(_ arguments: [String]) -> [String] {
        var globals: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--socket", rest.count >= 2 {
                globals += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--socket=") {
                globals.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !globals.isEmpty, let subcommand = rest.first else { return arguments }
        // A command group (`analytics report`): the options go after the nested subcommand.
        let nested = configuration.subcommands.first { $0._commandName == subcommand }?.configuration.subcommands ?? []
        if let second = rest.dropFirst().first, nested.contains(where: { $0._commandName == second }) {
            return [subcommand, second] + globals + rest.dropFirst(2)
        }
        return [subcommand] + globals + rest.dropFirst()
    }
}

/// Options every subcommand takes.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon's socket (default: NEUROLINK_SOCKET, else the system or per-user default).")
    var socket: String?
}
