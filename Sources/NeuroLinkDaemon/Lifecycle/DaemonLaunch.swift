import ArgumentParser
import Foundation
import Logging
import NIOPosix
import NeuroLinkBasics
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

/// What the command line asks of the daemon, and running it.
struct DaemonLaunch: Sendable {
    /// `--config`: the configuration file, else the default.
    var config: String?
    /// `--socket`: beats `NEUROLINK_SOCKET` and `server.socket`.
    var socket: String?
    /// `--log-level`, already checked.
    var logLevel: String?
    /// `--check-config`: validate, print the result and exit.
    var checkConfig = false

    init(config: String?, socket: String?, logLevel: String?, checkConfig: Bool) {
        self.config = config
        self.socket = socket
        self.logLevel = logLevel
        self.checkConfig = checkConfig
    }

    /// The launch `arguments` (after the program name) ask for when they are the plain form a service
    /// manager or a script uses: `--config`, `--socket` and `--log-level` (``PlainArguments``), with a
    /// known log level. Anything else is nil, for ArgumentParser to read and report.
    init?(plainArguments arguments: [String]) {
        guard let plain = PlainArguments(arguments, options: ["--config", "--socket", "--log-level"]),
            plain.words.isEmpty
        else { return nil }
        let level = plain.options["--log-level"]
        if let level, Logger.Level(rawValue: level) == nil { return nil }
        self.init(
            config: plain.options["--config"],
            socket: plain.options["--socket"],
            logLevel: level,
            checkConfig: false
        )
    }

    func run() async throws {
        if !checkConfig {
            // Work that needs no configuration starts now, beside the main path: the shipped tables
            // (injection rules, prices: the largest piece of start-up CPU), libcurl's and OpenSSL's
            // initialisation and the event loops' threads.
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
            throw ExitCode(DaemonCommand.exitConfig)
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
            throw ExitCode(DaemonCommand.exitUnavailable)
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
            throw ExitCode(DaemonCommand.exitUnavailable)
        }
        logger.notice("neurolinkd stopped")
    }
}
