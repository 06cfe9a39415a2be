import Logging
import NeuroLinkAudit
import NeuroLinkBasics
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkMetrics
import NeuroLinkProtocol

/// Where security events go: the audit log (which also writes each to the journal with
/// structured fields) or, with `security.audit.enabled: false`, the journal alone; denials are
/// counted in metrics too. Request outcomes arrive as records; the rest (method denials, admin
/// actions, refused connections, reloads) are reported directly.
final class SecurityEvents: RequestRecorder {
    let audit: AuditLog?
    let metrics: DaemonMetrics
    let logger: Logger

    init(audit: AuditLog?, metrics: DaemonMetrics, logger: Logger) {
        self.audit = audit
        self.metrics = metrics
        self.logger = logger
    }

    func record(_ record: RequestRecord) {
        let base = AuditEvent(
            time: record.startedAt,
            type: .policyDenied,
            tenant: record.caller.tenant.name,
            uid: record.caller.uid,
            requestId: record.requestId.description
        )
        if record.errorType == .forbidden {
            var event = base
            event.detail = "request refused"
            emit(event, rule: record.errorRule)
        }
        guard let security = record.security else { return }
        if let action = security.injectionAction {
            var event = base
            event.type = action == "blocked" ? .injectionBlocked : .injectionFlagged
            event.detail =
                "score \(security.injectionScore ?? 0); signals \(security.injectionSignals.joined(separator: ","))"
            emit(event, rule: "injection")
        }
        for (type, counts) in [
            (
                AuditEventType.piiRedacted,
                security.inputRedactions.merging(security.outputRedactions, uniquingKeysWith: +)
            ),
            (.piiUnredacted, security.unredactedInput),
        ] where !counts.isEmpty {
            var event = base
            event.type = type
            event.counts = counts
            emit(event, rule: nil)
        }
        for rule in security.filtered {
            var event = base
            event.type = .contentFiltered
            emit(event, rule: rule)
        }
    }

    /// A method call the policies refused.
    func denied(method: String, caller: Caller, error: RPCError) {
        metrics.denied(rule: error.data.rule ?? "-")
        let event = AuditEvent(
            time: WallClock.unixSeconds,
            type: .policyDenied,
            tenant: caller.tenant.name,
            uid: caller.uid,
            detail: "method \(method) refused"
        )
        emit(event, rule: error.data.rule)
    }

    /// An admin action: a cache clear, a configuration reload.
    func adminAction(_ what: String, caller: Caller?, detail: String? = nil) {
        let event = AuditEvent(
            time: WallClock.unixSeconds,
            type: what == "config_reload" ? .configReloaded : .adminAction,
            tenant: caller?.tenant.name,
            uid: caller?.uid,
            detail: detail
        )
        emit(event, rule: what)
    }

    /// A connection the daemon would not serve.
    func connectionRefused(uid: UInt32?, reason: String) {
        emit(AuditEvent(time: WallClock.unixSeconds, type: .connectionRefused, uid: uid, detail: reason), rule: nil)
    }

    private func emit(_ event: AuditEvent, rule: String?) {
        var event = event
        if let rule { event.rule = rule }
        if let audit {
            audit.append(event)
        } else {
            logger.notice(
                "security event",
                metadata: [
                    "audit_type": "\(event.type)", "tenant": "\(event.tenant ?? "-")", "rule": "\(event.rule ?? "-")",
                ]
            )
        }
    }
}
