#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Logging
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkProviders
import NeuroLinkProtocol
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `neurolinkd`: the NeuroLink daemon.
public struct DaemonCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "neurolinkd",
        abstract: "The NeuroLink streaming LLM gateway daemon.",
        discussion: "Serves length-prefixed JSON-RPC 2.0 on a Unix socket. See docs/protocol.md and docs/configuration.md.",
        version: ProtocolInfo.release)

    @Option(name: .long, help: "Configuration file (default: /etc/neurolink/neurolinkd.yaml for root, else $XDG_CONFIG_HOME/neurolink/neurolinkd.yaml).")
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

    /// Parses the process arguments and runs the daemon; the whole of `neurolinkd`'s `main`.
    public static func runFromCommandLine() async {
        await main()
    }

    /// Exit status for an invalid configuration (sysexits EX_CONFIG).
    static let exitConfig: Int32 = 78
    /// Exit status when the socket cannot be taken (sysexits EX_UNAVAILABLE).
    static let exitUnavailable: Int32 = 69

    public func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let loader = ConfigLoader()
        let config: DaemonConfig
        do {
            config = try loader.load(path: self.config)
        } catch {
            FileHandle.standardError.write(Data("neurolinkd: invalid configuration: \(error)\n".utf8))
            throw ExitCode(Self.exitConfig)
        }
        if checkConfig {
            let source = config.sourcePath ?? "environment (no config file)"
            print("configuration OK: \(source): \(config.providers.count) provider(s): \(config.providers.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", "))")
            return
        }
        let level = Logger.Level(rawValue: logLevel ?? config.logging.level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "neurolinkd")
        let socketPath = SocketPath.resolve(explicit: socket ?? config.server.socketPath, environment: ProcessInfo.processInfo.environment)
        try await serve(config: config, loader: loader, socketPath: socketPath, logger: logger)
    }

    private func serve(config: DaemonConfig, loader: ConfigLoader, socketPath: String, logger: Logger) async throws {
        let http: CurlLoop
        do { http = try CurlLoop(highWaterBytes: config.server.streamBufferBytes) } catch {
            logger.critical("cannot initialise libcurl")
            throw ExitCode.failure
        }
        let listener: Listener
        do {
            try SocketFile.prepare(path: socketPath, logger: logger)
            listener = try await RPCServer.bind(path: socketPath, maxFrameBytes: config.server.maxFrameBytes,
                                                group: MultiThreadedEventLoopGroup.singleton)
            try SocketFile.setMode(path: socketPath, mode: config.server.socketMode)
        } catch {
            logger.critical("cannot listen on \(socketPath): \(error)")
            throw ExitCode(Self.exitUnavailable)
        }
        defer { unlink(socketPath) }

        let daemon = DaemonState(config: config, configPath: self.config, socketPath: socketPath, http: http, logger: logger)
        let server = RPCServer(daemon: daemon, listener: listener, drainTimeout: .milliseconds(config.server.drainTimeoutMs))
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: HTTPEngineService(loop: http)),
                .init(service: ReloadService(daemon: daemon, loader: loader)),
                .init(service: server),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.notice("neurolinkd \(ProtocolInfo.release) listening", metadata: [
            "socket": "\(socketPath)", "config": "\(config.sourcePath ?? "environment")",
            "providers": "\(config.providers.map(\.name).joined(separator: ","))", "curl": "\(CurlLoop.curlVersion)",
        ])
        try await group.run()
        logger.notice("neurolinkd stopped")
    }
}
