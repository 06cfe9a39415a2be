import Logging
import NeuroLinkAudit
import NeuroLinkCore
import ServiceLifecycle

/// Writes the audit log's events in the background. Like the analytics writer it starts before
/// the RPC server, so it stops after the drain and writes the last requests' events.
struct AuditService: Service, CustomStringConvertible {
    var description: String { "AuditLog" }
    let log: AuditLog

    /// The audit log `security.audit` describes, or `nil` when it is disabled or cannot be opened
    /// (then events go to the journal only, and the daemon says why).
    static func open(_ config: DaemonConfig, loader: ConfigLoader, logger: Logger) -> AuditLog? {
        let settings = config.security.audit
        guard settings.enabled else { return nil }
        let path = settings.path ?? loader.defaultAuditPath()
        do {
            return try AuditLog(path: path, logger: logger)
        } catch {
            logger.error(
                "the audit log cannot be opened; security events go to the journal only",
                metadata: ["path": "\(path)", "error": "\(error)"]
            )
            return nil
        }
    }

    func run() async {
        await withGracefulShutdownHandler {
            await log.run()
        } onGracefulShutdown: {
            log.finish()
        }
    }
}
