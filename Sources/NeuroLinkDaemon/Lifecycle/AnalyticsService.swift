import Logging
import NeuroLinkAnalytics
import NeuroLinkCore
import NeuroLinkProtocol
import ServiceLifecycle

/// The analytics store as the daemon has it: off, failed to open (the daemon serves on without
/// it, and says why in `status` and the log), or recording.
enum AnalyticsState: Sendable {
    case disabled
    case unavailable(path: String, reason: String)
    case recording(AnalyticsWriter)

    /// Opens the store that `config.analytics` names.
    static func open(_ config: DaemonConfig, loader: ConfigLoader, logger: Logger) -> AnalyticsState {
        guard config.analytics.enabled else { return .disabled }
        let path = config.analytics.path ?? loader.defaultAnalyticsPath()
        do {
            let store = try AnalyticsStore(path: path)
            return .recording(AnalyticsWriter(store: store, settings: config.analytics, logger: logger))
        } catch {
            logger.error("analytics disabled: cannot open the database", metadata: ["error": "\(error)"])
            return .unavailable(path: path, reason: error.description)
        }
    }

    var writer: AnalyticsWriter? {
        if case .recording(let writer) = self { return writer }
        return nil
    }

    /// The store a reader may query, or the error that says why there is none.
    func store() throws(RPCError) -> AnalyticsStore {
        switch self {
        case .recording(let writer): return writer.store
        case .disabled:
            throw RPCError(.analyticsUnavailable, "analytics are disabled (analytics.enabled: false)")
        case .unavailable(_, let reason):
            throw RPCError(.analyticsUnavailable, "analytics are unavailable: \(reason)")
        }
    }

    /// `status.analytics`; the file's path is shown to admins only.
    func status(admin: Bool) -> AnalyticsStatus {
        switch self {
        case .disabled:
            return AnalyticsStatus(enabled: false)
        case .unavailable(let path, let reason):
            return AnalyticsStatus(enabled: true, path: admin ? path : nil, error: admin ? reason : "unavailable")
        case .recording(let writer):
            let counters = writer.counters
            return AnalyticsStatus(
                enabled: true,
                path: admin ? writer.store.path : nil,
                rowsWritten: counters.written,
                rowsDropped: counters.dropped,
                rowsQueued: counters.queued,
                sampledOut: counters.sampledOut
            )
        }
    }
}

/// Writes recorded requests in the background. It starts before the RPC server, so it stops
/// after it: by then the drain has recorded every request, and the last rows are written before
/// the daemon exits.
struct AnalyticsService: Service, CustomStringConvertible {
    var description: String { "Analytics" }
    let writer: AnalyticsWriter

    func run() async {
        await cancelWhenGracefulShutdown { await writer.run() }
        // The rows recorded since the loop's last write; the drain has recorded every request by now.
        await writer.flush()
    }
}
