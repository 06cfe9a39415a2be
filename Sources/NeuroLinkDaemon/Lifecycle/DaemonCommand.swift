import ArgumentParser
import Dispatch
import Logging
import NeuroLinkCore
import NeuroLinkProtocol

/// `neurolinkd`: the NeuroLink daemon.
public struct DaemonCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "neurolinkd",
        abstract: "The NeuroLink streaming LLM gateway daemon.",
        discussion:
            "Serves length-prefixed JSON-RPC 2.0 on a Unix socket. See docs/protocol.md and docs/configuration.md.",
        version: ProtocolInfo.release
    )

    @Option(
        name: .long,
        help:
            "Configuration file (default: /etc/neurolink/neurolinkd.yaml for root, else $XDG_CONFIG_HOME/neurolink/neurolinkd.yaml)."
    )
    var config: String?

    @Option(name: .long, help: "Socket path (overrides NEUROLINK_SOCKET and the config file).")
    var socket: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Flag(name: .long, help: "Validate the configuration, print the result and exit (0 valid, 78 invalid).")
    var checkConfig = false

    public init() {}

    public func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(DaemonConfig.Logging.levels.joined(separator: ", "))")
        }
    }

    /// Parses the process arguments and runs the daemon; the whole of `neurolinkd`'s `main`. The plain
    /// form a service manager uses (``DaemonLaunch/init(plainArguments:)``) runs without ArgumentParser,
    /// whose model of the command is built by reflection, one first-time conformance lookup after
    /// another, before anything else can start; every other form goes through it.
    public static func runFromCommandLine() async {
        guard let launch = DaemonLaunch(plainArguments: Array(CommandLine.arguments.dropFirst())) else {
            await main()
            return
        }
        do { try await launch.run() } catch { exit(withError: error) }
    }

    /// ``runFromCommandLine()`` on the global executor while the calling thread, the main thread,
    /// only waits for it. An asynchronous `main` would end the main thread in `dispatch_main`, whose
    /// `pthread_exit` unwinds the thread's stack, searching the unwind tables for every frame: 0.7 MiB
    /// of them made resident for nothing (docs/benchmarks.md, "Idle RSS"). Nothing in the daemon
    /// runs on the main actor, which this leaves without a thread.
    public static func runFromMainThread() {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await runFromCommandLine()
            finished.signal()
        }
        finished.wait()
    }

    /// Exit status for an invalid configuration (sysexits EX_CONFIG).
    static let exitConfig: Int32 = 78
    /// Exit status when the socket cannot be taken (sysexits EX_UNAVAILABLE).
    static let exitUnavailable: Int32 = 69

    public func run() async throws {
        try await DaemonLaunch(config: config, socket: socket, logLevel: logLevel, checkConfig: checkConfig).run()
    }
}
