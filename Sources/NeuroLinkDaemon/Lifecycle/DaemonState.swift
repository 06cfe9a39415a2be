import Logging
import NIOCore
import NeuroLinkAlerts
import NeuroLinkAudit
import NeuroLinkCache
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkMetrics
import NeuroLinkProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What every part of the running daemon shares: the request runner (configuration generations,
/// running requests, counters), the HTTP engine, and the open connections.
final class DaemonState: Sendable {
    let startedAt = ContinuousClock.now
    let socketPath: String
    let configPath: String?
    let runner: RequestRunner
    let analytics: AnalyticsState
    /// The response cache; `nil` when `cache.enabled` is false.
    let cache: ResponseCache?
    /// Conversation memory; `nil` when it is off.
    let memory: SessionMemory?
    /// The MCP servers' tools; `nil` without any.
    let mcp: MCPTools?
    /// Security events: the audit log, the journal, metrics.
    let security: SecurityEvents
    let metrics: DaemonMetrics
    let alerts: AlertMonitor
    let logger: Logger
    let maxFrameBytes: Int
    /// systemd's view of the daemon: notifications, watchdog, socket activation.
    let supervision: Supervision

    private let lastReloadStatus = Mutex<ReloadStatus?>(nil)
    private let connections = Mutex(Connections())

    private struct Connections {
        var open: [ObjectIdentifier: (channel: any Channel, uid: UInt32)] = [:]
        var perUid: [UInt32: Int] = [:]
        /// Set once the drain closed every connection: a connection accepted later is closed at once.
        var closed = false
    }

    /// The caps on open connections, in total and per peer uid.
    let maxConnections: Int
    let maxConnectionsPerUid: Int

    init(
        config: DaemonConfig,
        configPath: String?,
        socketPath: String,
        http: CurlLoop,
        supervision: Supervision = .unsupervised,
        analytics: AnalyticsState = .disabled,
        cache: ResponseCache? = nil,
        audit: AuditLog? = nil,
        memory: SessionMemory? = nil,
        mcp: MCPTools? = nil,
        logger: Logger
    ) {
        self.mcp = mcp
        self.analytics = analytics
        self.cache = cache
        self.memory = memory
        let metrics = DaemonMetrics()
        self.metrics = metrics
        security = SecurityEvents(audit: audit, metrics: metrics, logger: logger)
        alerts = AlertMonitor(rules: config.alerts.rules)
        self.socketPath = socketPath
        self.supervision = supervision
        self.configPath = configPath
        self.logger = logger
        self.maxFrameBytes = config.server.maxFrameBytes
        maxConnections = Self.connectionCap(configured: config.server.maxConnections, logger: logger)
        maxConnectionsPerUid = config.server.maxConnectionsPerUid
        let recorders: [any RequestRecorder] =
            [LogRecorder(logger: logger), metrics, alerts.window, security] + (analytics.writer.map { [$0] } ?? [])
        runner = RequestRunner(
            config: config,
            http: http,
            logger: logger,
            recorders: recorders,
            cache: cache,
            memory: memory,
            externalTools: mcp
        )
    }

    /// `server.max_connections`, held to three quarters of the open-file limit: the rest stays for
    /// upstream transfers and for accepting (and refusing) connections over the cap, so that a
    /// flood is shed with an `overloaded` error instead of stalling in the accept backlog.
    static func connectionCap(configured: Int, logger: Logger) -> Int {
        let descriptors = DescriptorLimit.current
        guard descriptors > 0 else { return configured }
        let cap = max(16, Int(clamping: descriptors / 4 * 3))
        if cap < configured {
            logger.notice(
                "server.max_connections lowered to three quarters of the open-file limit",
                metadata: [
                    "configured": "\(configured)", "max_connections": "\(cap)", "rlimit_nofile": "\(descriptors)",
                ]
            )
        }
        return min(configured, cap)
    }

    var current: RequestPipeline { runner.current }
    var http: CurlLoop { runner.http }
    var admission: AdmissionController { runner.admission }
    var stats: DaemonStats { runner.stats }
    var requests: RunningRequests { runner.requests }

    /// Installs a new configuration; requests already running keep the pipeline they started with.
    func install(_ config: DaemonConfig) async {
        await runner.install(config)
    }

    var lastReload: ReloadStatus? {
        get { lastReloadStatus.withLock { $0 } }
        set { lastReloadStatus.withLock { $0 = newValue } }
    }

    var isDraining: Bool { requests.isDraining }

    /// Running `stream` and `generate` requests.
    var activeStreams: Int {
        requests.snapshot.count { $0.method == Method.stream || $0.method == Method.generate }
    }

    // MARK: Connections

    /// Why a connection may not be served.
    enum Refusal: Error {
        /// The drain already closed every connection.
        case draining
        /// Over a connection cap; the client gets this error before the connection closes.
        case overloaded(RPCError)
    }

    /// Registers an open connection of peer `uid`, or refuses it: the drain has closed every
    /// connection, or the daemon or that uid is at its connection cap.
    func opened(_ channel: any Channel, uid: UInt32) throws(Refusal) {
        let refusal: Refusal? = connections.withLock { connections in
            if connections.closed { return .draining }
            let ofUid = connections.perUid[uid, default: 0]
            if connections.open.count >= maxConnections || ofUid >= maxConnectionsPerUid {
                let which =
                    ofUid >= maxConnectionsPerUid
                    ? "uid \(uid) already has \(ofUid) connections (server.max_connections_per_uid)"
                    : "the daemon already serves \(connections.open.count) connections (server.max_connections)"
                let error = RPCError(
                    .overloaded,
                    "connection refused: \(which); close some and try again",
                    data: ErrorData(type: .overloaded, retryable: true)
                )
                return .overloaded(error)
            }
            connections.open[ObjectIdentifier(channel)] = (channel, uid)
            connections.perUid[uid] = ofUid + 1
            return nil
        }
        if let refusal { throw refusal }
        stats.connectionOpened()
    }

    func closed(_ channel: any Channel) {
        let removed = connections.withLock { connections -> Bool in
            guard let entry = connections.open.removeValue(forKey: ObjectIdentifier(channel)) else { return false }
            let remaining = connections.perUid[entry.uid, default: 1] - 1
            connections.perUid[entry.uid] = remaining > 0 ? remaining : nil
            return true
        }
        if removed { stats.connectionClosed() }
    }

    /// Closes every open connection, and every one accepted from now on.
    func closeAllConnections() {
        let channels = connections.withLock { connections in
            connections.closed = true
            return connections.open.values.map(\.channel)
        }
        for channel in channels { channel.close(promise: nil) }
    }
}
