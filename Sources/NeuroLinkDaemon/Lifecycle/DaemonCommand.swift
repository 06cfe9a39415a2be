import ArgumentParser
import Foundation
import Logging
import NIOPosix
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSystemd
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

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

    /// Parses the process arguments and runs the daemon; the whole of `neurolinkd`'s `main`.
    public static func runFromCommandLine() async {
        await main()
    }

    /// Exit status for an invalid configuration (sysexits EX_CONFIG).
    static let exitConfig: Int32 = 78
    /// Exit status when the socket cannot be taken (sysexits EX_UNAVAILABLE).
    static let exitUnavailable: Int32 = 69

    public func run() async throws {
        if !checkConfig {
            // Work that needs no configuration starts now, beside the main path: the shipped tables
            // (injection rules, prices: about 7 ms of CPU), libcurl's and OpenSSL's initialisation
            // and the event loops' threads.
            Thread.detachNewThread { ShippedTables.prepare() }
            Thread.detachNewThread {
                CurlLoop.initialiseLibrary()
                _ = MultiThreadedEventLoopGroup.singleton
            }
        }
        signal(SIGPIPE, SIG_IGN)
        let descriptors = DescriptorLimit.raise()
        let environment = ProcessInfo.processInfo.environment
        let loader = ConfigLoader(environment: environment)
        let config: DaemonConfig
        do {
            config = try loader.load(path: self.config)
        } catch {
            FileHandle.standardError.write(Data("neurolinkd: invalid configuration: \(error)\n".utf8))
            // Best effort: lets `systemctl status` show why the unit failed.
            Notifier.systemd(environment: environment).notify(.status("invalid configuration: \(error)"))
            throw ExitCode(Self.exitConfig)
        }
        if checkConfig {
            let source = config.sourcePath ?? "environment (no config file)"
            print(
                "configuration OK: \(source): \(config.providers.count) provider(s): \(config.providers.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", "))"
            )
            return
        }
        let level = Logger.Level(rawValue: logLevel ?? config.logging.level) ?? .info
        let journal = LogSetup.bootstrap(level: level, environment: environment)
        let logger = Logger(label: "neurolinkd")
        logger.debug("open-file limit", metadata: ["rlimit_nofile": "\(descriptors)"])
        let activated: ActivatedSocket?
        do { activated = try SocketActivation.unixStreamListener() } catch {
            logger.critical("\(error)")
            throw ExitCode(Self.exitUnavailable)
        }
        let supervision = Supervision.detect(
            environment: environment,
            socketActivated: activated != nil,
            journal: journal
        )
        let configuredSocket = socket ?? config.server.socketPath
        let socketPath = SocketPath.resolve(explicit: configuredSocket, environment: environment)
        try await serve(
            config: config,
            loader: loader,
            socketPath: socketPath,
            configuredSocket: configuredSocket,
            activated: activated,
            supervision: supervision,
            environment: environment,
            logger: logger
        )
    }

    /// `work`'s result, computed on a new thread: for blocking start-up work, which must hold
    /// neither an event loop nor a thread of the cooperative pool.
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    private func serve(
        config: DaemonConfig,
        loader: ConfigLoader,
        socketPath: String,
        configuredSocket: String?,
        activated: ActivatedSocket?,
        supervision: Supervision,
        environment: [String: String],
        logger: Logger
    ) async throws {
        let http: CurlLoop
        do {
            http = try CurlLoop(
                highWaterBytes: config.server.streamBufferBytes,
                memoryBudgetBytes: config.server.streamMemoryBudgetBytes,
                maxPaused: config.server.maxPaused,
                logger: logger
            )
        } catch {
            logger.critical("cannot initialise libcurl")
            supervision.status("cannot initialise libcurl")
            throw ExitCode.failure
        }
        // The databases open on threads of their own, side by side: each open of an existing
        // database writes and syncs (GRDB makes sure its WAL file is not empty), so together
        // they take the longest one's time rather than the sum.
        async let analytics = Self.onThread { AnalyticsState.open(config, loader: loader, logger: logger) }
        async let cache = Self.onThread { CacheService.open(config, loader: loader, http: http, logger: logger) }
        async let audit = Self.onThread { AuditService.open(config, loader: loader, logger: logger) }
        async let memory = Self.onThread { SessionMemory.open(config, loader: loader, logger: logger) }
        let eventLoops = MultiThreadedEventLoopGroup.singleton
        let mcp = MCPTools.make(config, logger: logger)
        let daemon = DaemonState(
            config: config,
            configPath: self.config,
            socketPath: activated.map { $0.path ?? socketPath } ?? socketPath,
            http: http,
            supervision: supervision,
            analytics: await analytics,
            cache: await cache,
            audit: await audit,
            memory: await memory,
            mcp: mcp,
            logger: logger
        )
        let server = RPCServer(
            daemon: daemon,
            open: {
                try await Listening.open(
                    activated: activated,
                    path: socketPath,
                    configured: configuredSocket,
                    server: config.server,
                    group: eventLoops,
                    logger: logger
                )
            },
            drainTimeout: .milliseconds(config.server.drainTimeoutMs),
            settings: ConnectionSettings(config.server)
        )
        // Shut down in reverse order: the RPC server drains first, the curl loop stops after it, and
        // the status reporter and watchdog keep systemd informed until the very end.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let watchdog = supervision.watchdog {
            services.append(
                .named(
                    WatchdogService(
                        watchdog: watchdog,
                        daemon: daemon,
                        probe: LivenessProbe(eventLoops: eventLoops, http: http)
                    )
                )
            )
        }
        services.append(.named(StatusReporterService(daemon: daemon)))
        services.append(.named(HTTPEngineService(loop: http)))
        if let writer = daemon.analytics.writer { services.append(.named(AnalyticsService(writer: writer))) }
        if let cache = daemon.cache { services.append(.named(CacheService(cache: cache))) }
        if let audit = daemon.security.audit { services.append(.named(AuditService(log: audit))) }
        if let mcp = daemon.mcp { services.append(.named(MCPService(tools: mcp))) }
        if let memory = daemon.memory { services.append(.named(MemoryService(memory: memory, logger: logger))) }
        if !config.alerts.rules.isEmpty {
            services.append(.named(AlertService(daemon: daemon, settings: config.alerts)))
        }
        if let gateway = config.metrics.pushgateway {
            services.append(.named(PushgatewayService(gateway: gateway, daemon: daemon)))
        }
        if let listener = SocketActivation.tcpListener().map(HTTPFrontService.Listener.activated)
            ?? config.http.listen.map(HTTPFrontService.Listener.endpoint)
        {
            services.append(.named(HTTPFrontService(settings: config.http, listener: listener, daemon: daemon)))
        }
        if let endpoint = config.metrics.listen {
            services.append(.named(MetricsListenerService(endpoint: endpoint, daemon: daemon)))
        }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        services.append(.named(ReloadService(daemon: daemon, loader: loader, hangups: hangups)))
        services.append(.named(HealthCheckService(daemon: daemon)))
        services.append(.named(AdmissionService(daemon: daemon)))
        if let hooks = TestHooksService.fromEnvironment(environment, eventLoops: eventLoops, logger: logger) {
            services.append(.named(hooks))
        }
        // The server binds its socket once the group traps SIGTERM; when it ends, everything stops.
        services.append(.named(server, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch let failure as Listening.Failure {
            logger.critical("\(failure)")
            supervision.status("\(failure)")
            throw ExitCode(Self.exitUnavailable)
        }
        logger.notice("neurolinkd stopped")
    }
}
