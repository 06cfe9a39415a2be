import NeuroLinkProtocol

/// Recommendations drawn from a report's window, by fixed rules:
/// - a tenant with at least ``injectionEvents`` injection events (flagged or blocked);
/// - a tenant with any `pii_unredacted` event: turn on input redaction, naming the PII types seen;
/// - a tenant denied at least ``denialsByOneRule`` times by one policy rule;
/// - any `audit_dropped` event;
/// - no event at all: the log is quiet.
enum AuditAdvice {
    static let injectionEvents = 5
    static let denialsByOneRule = 10

    /// What the rules look at, each list most first.
    struct Figures: Sendable {
        var total = 0
        var injections: [TenantCount] = []
        var unredacted: [Unredacted] = []
        var denials: [Denials] = []
        var dropRecords = 0
        var droppedEvents = 0
    }

    struct TenantCount: Sendable {
        var tenant: String?
        var count: Int
    }

    struct Unredacted: Sendable {
        var tenant: String?
        var events: Int
        /// The PII types counted in those events, most matches first.
        var types: [String]
    }

    struct Denials: Sendable {
        var tenant: String?
        var rule: String
        var count: Int
    }

    static func recommendations(_ figures: Figures) -> [String] {
        guard figures.total > 0 else { return ["the audit log is quiet: no security events in this window"] }
        var advice = figures.injections.map { entry in
            "\(name(entry.tenant)): \(entry.count) prompt-injection attempts were flagged or blocked; find the client "
                + "sending them (the events' request ids) and consider blocking rather than flagging them"
        }
        advice += figures.unredacted.map { entry in
            let types = entry.types.isEmpty ? "" : " (\(entry.types.joined(separator: ", ")))"
            return "\(name(entry.tenant)): personal data\(types) was seen unredacted in \(entry.events) events; "
                + "turn on input redaction for this tenant"
        }
        advice += figures.denials.map { entry in
            "\(name(entry.tenant)): \(entry.count) requests were denied by rule \(entry.rule); check whether the rule "
                + "is right, or which client keeps asking for what it may not do"
        }
        if figures.dropRecords > 0 {
            advice.append(
                "\(figures.droppedEvents) audit events were lost (\(figures.dropRecords) audit_dropped records): "
                    + "the queue was full or a write failed; check the disk and the daemon's errors, "
                    + "or raise the queue size"
            )
        }
        return advice
    }

    private static func name(_ tenant: String?) -> String {
        tenant.map { "tenant \($0)" } ?? "requests without a tenant"
    }
}
