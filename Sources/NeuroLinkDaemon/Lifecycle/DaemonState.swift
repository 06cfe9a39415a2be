import Foundation
import Logging
import NIOCore
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkProtocol
import Synchronization

/// What every part of the running daemon shares: the current configuration generation, the
/// HTTP engine, counters and the registry of running requests and open connections.
final class DaemonState: Sendable {
    struct Generation: Sendable {
        var config: DaemonConfig
        var pipeline: RequestPipeline
    }

    let startedAt = ContinuousClock.now
    let socketPath: String
    let configPath: String?
    let http: CurlLoop
    let stats = DaemonStats()
    let logger: Logger
    let maxFrameBytes: Int
    /// systemd's view of the daemon: notifications, watchdog, socket activation.
    let supervision: Supervision
    /// Rate limits and the admission queue, kept across reloads.
    let admission: AdmissionController

    private let generation: Mutex<Generation>
    private let lastReloadStatus = Mutex<ReloadStatus?>(nil)
    private let registry = Mutex(Registry())

    private struct Registry {
        var requests: [ObjectIdentifier: RequestContext] = [:]
        var connections: [ObjectIdentifier: any Channel] = [:]
        var draining = false
    }

    init(
        config: DaemonConfig,
        configPath: String?,
        socketPath: String,
        http: CurlLoop,
        supervision: Supervision = .unsupervised,
        logger: Logger
    ) {
        self.socketPath = socketPath
        self.supervision = supervision
        self.configPath = configPath
        self.http = http
        self.logger = logger
        self.maxFrameBytes = config.server.maxFrameBytes
        let admission = AdmissionController(config: config)
        self.admission = admission
        self.generation = Mutex(
            Generation(
                config: config,
                pipeline: RequestPipeline(
                    config: config,
                    http: http,
                    admission: admission,
                    logger: logger
                )
            )
        )
    }

    var current: Generation { generation.withLock { $0 } }

    /// Installs a new configuration; requests already running keep the pipeline they started with.
    func install(_ config: DaemonConfig) {
        admission.update(config: config)
        let pipeline = RequestPipeline(config: config, http: http, admission: admission, logger: logger)
        generation.withLock { $0 = Generation(config: config, pipeline: pipeline) }
    }

    var lastReload: ReloadStatus? {
        get { lastReloadStatus.withLock { $0 } }
        set { lastReloadStatus.withLock { $0 = newValue } }
    }

    // MARK: Running requests and connections

    /// Registers a request; returns `false` once draining has begun.
    func admit(_ context: RequestContext) -> Bool {
        registry.withLock { registry in
            guard !registry.draining else { return false }
            registry.requests[ObjectIdentifier(context)] = context
            return true
        }
    }

    func finished(_ context: RequestContext) {
        _ = registry.withLock { $0.requests.removeValue(forKey: ObjectIdentifier(context)) }
    }

    var runningRequests: Int { registry.withLock { $0.requests.count } }
    var isDraining: Bool { registry.withLock { $0.draining } }

    func beginDraining() { registry.withLock { $0.draining = true } }

    func cancelAllRequests(reason: ErrorType) {
        let contexts = registry.withLock { Array($0.requests.values) }
        contexts.forEach { $0.cancel(reason: reason) }
    }

    func opened(_ channel: any Channel) {
        registry.withLock { $0.connections[ObjectIdentifier(channel)] = channel }
        stats.connectionOpened()
    }

    func closed(_ channel: any Channel) {
        _ = registry.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
        stats.connectionClosed()
    }

    func closeAllConnections() {
        let channels = registry.withLock { Array($0.connections.values) }
        channels.forEach { $0.close(promise: nil) }
    }

    // MARK: Status

    func status() async -> StatusResult {
        let generation = current
        let snapshot = stats.snapshot
        // Bucket levels come from the limiter's store, which may be remote later: hence async.
        let limits = await admission.limitsStatus(now: .now)
        let buffers = await http.bufferSnapshot()
        var status = StatusResult(
            version: ProtocolInfo.release,
            protocolVersion: ProtocolInfo.version,
            pid: Int(getpid()),
            uptimeSeconds: DaemonState.seconds(ContinuousClock.now - startedAt),
            socketPath: socketPath,
            configPath: generation.config.sourcePath,
            providers: generation.pipeline.registry.statuses,
            defaultProvider: generation.config.defaults.provider,
            activeStreams: snapshot.activeStreams,
            activeConnections: snapshot.activeConnections,
            totals: snapshot.totals,
            lastReload: lastReload,
            systemd: supervision.status,
            pools: generation.pipeline.router.poolStatuses(now: .now),
            retryBudget: generation.pipeline.router.retryBudgetStatus(now: .now),
            limits: limits
        )
        status.streamBuffers = StreamBufferStatus(
            bufferedBytes: buffers.bufferedBytes,
            budgetBytes: buffers.budgetBytes,
            peakBufferedBytes: buffers.peakBufferedBytes,
            activeTransfers: buffers.activeTransfers,
            pausedTransfers: buffers.pausedTransfers,
            budgetHeldTransfers: buffers.budgetHeldTransfers,
            pausedTimeouts: buffers.pausedTimeouts
        )
        return status
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
