import Logging
import NeuroLinkProtocol

/// How an audit event reaches the daemon's logger, whose journal handler turns each metadata key
/// into a field (`request_id` → `REQUEST_ID`), so that `journalctl TYPE=policy_denied` finds them.
///
/// The metadata holds the event's own fields and nothing else: `type`, and when present `tenant`,
/// `uid`, `request_id`, `rule`, `detail`, and one key per count. A count's key is prefixed, so it
/// can never stand for one of the others: `pii_` for the PII events (`pii_email=2`), `count_` for
/// any other (`count_events=3`).
enum AuditLogFields {
    static let eventMessage: Logger.Message = "security audit event"

    static func log(_ event: AuditEvent, to logger: Logger) {
        logger.log(level: level(of: event.type), eventMessage, metadata: metadata(of: event))
    }

    static func metadata(of event: AuditEvent) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["type": "\(event.type.rawValue)"]
        if let tenant = event.tenant { metadata["tenant"] = "\(tenant)" }
        if let uid = event.uid { metadata["uid"] = "\(uid)" }
        if let requestId = event.requestId { metadata["request_id"] = "\(requestId)" }
        if let rule = event.rule { metadata["rule"] = "\(rule)" }
        if let detail = event.detail { metadata["detail"] = "\(detail)" }
        let prefix = countPrefix(of: event.type)
        for (key, value) in event.counts ?? [:] { metadata[prefix + key] = "\(value)" }
        return metadata
    }

    static func countPrefix(of type: AuditEventType) -> String {
        type == .piiRedacted || type == .piiUnredacted ? "pii_" : "count_"
    }

    /// Lost audit events and refused injections deserve a warning; the rest are notices.
    static func level(of type: AuditEventType) -> Logger.Level {
        type == .auditDropped || type == .injectionBlocked ? .warning : .notice
    }
}
