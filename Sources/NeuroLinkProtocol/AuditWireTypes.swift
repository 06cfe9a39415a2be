// The audit log's wire types: what the daemon records and what `audit.verify` and `audit.report`
// answer. Standard library only, so that this file can live in the protocol module.

/// The kind of a security audit event: an open vocabulary of `snake_case` names, encoded in JSON
/// as a plain string.
public struct AuditEventType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// A request scored as a likely prompt injection and let through.
    public static let injectionFlagged = AuditEventType(rawValue: "injection_flagged")
    /// A request refused as a prompt injection.
    public static let injectionBlocked = AuditEventType(rawValue: "injection_blocked")
    /// Personal data redacted; `counts` holds the matches per PII type (`email`, `phone`, ...).
    public static let piiRedacted = AuditEventType(rawValue: "pii_redacted")
    /// Personal data seen while redaction was off; `counts` holds the matches per PII type.
    public static let piiUnredacted = AuditEventType(rawValue: "pii_unredacted")
    /// A content filter matched; `rule` names it.
    public static let contentFiltered = AuditEventType(rawValue: "content_filtered")
    /// An access policy refused a request; `rule` names the policy rule.
    public static let policyDenied = AuditEventType(rawValue: "policy_denied")
    /// An administrator changed the daemon's state (a cache cleared, for example).
    public static let adminAction = AuditEventType(rawValue: "admin_action")
    /// A connection refused before any request (an untrusted peer, too many connections).
    public static let connectionRefused = AuditEventType(rawValue: "connection_refused")
    /// The configuration was reloaded.
    public static let configReloaded = AuditEventType(rawValue: "config_reloaded")
    /// Audit events were lost (the queue was full, or a write failed); `counts["events"]` says how many.
    public static let auditDropped = AuditEventType(rawValue: "audit_dropped")
}

/// One security event. It names what happened, never what was said: no prompt text, no matched
/// personal data, no secrets. `detail` is composed by the daemon from fixed text.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// Seconds since 1970 (UTC).
    public var time: Double
    public var type: AuditEventType
    public var tenant: String?
    /// The Unix user id of the client, when the connection has one.
    public var uid: UInt32?
    public var requestId: String?
    /// The id of the rule that fired (a policy rule, a content filter, an injection phrase rule).
    public var rule: String?
    /// Numbers that qualify the event, by `snake_case` key: matches per PII type, events lost.
    public var counts: [String: Int]?
    /// A short explanation composed by the daemon from fixed text.
    public var detail: String?

    public init(
        time: Double,
        type: AuditEventType,
        tenant: String? = nil,
        uid: UInt32? = nil,
        requestId: String? = nil,
        rule: String? = nil,
        counts: [String: Int]? = nil,
        detail: String? = nil
    ) {
        self.time = time
        self.type = type
        self.tenant = tenant
        self.uid = uid
        self.requestId = requestId
        self.rule = rule
        self.counts = counts
        self.detail = detail
    }
}

/// Result of `audit.verify`: whether the hash chain of the whole log is intact.
public struct AuditVerification: Sendable, Hashable, Codable {
    /// Rows in the log.
    public var rows: Int
    public var ok: Bool
    /// The first row found wrong (for rows that are missing, the first missing id).
    public var firstBadId: Int64?
    /// What is wrong, in words; absent when `ok`.
    public var problem: String?
    /// The id and hash of the last row, to compare with the head the daemon logged to the journal.
    public var headId: Int64?
    public var headHash: String?

    public init(
        rows: Int,
        ok: Bool,
        firstBadId: Int64? = nil,
        problem: String? = nil,
        headId: Int64? = nil,
        headHash: String? = nil
    ) {
        self.rows = rows
        self.ok = ok
        self.firstBadId = firstBadId
        self.problem = problem
        self.headId = headId
        self.headHash = headHash
    }
}

/// Params of `audit.report`.
public struct AuditReportRequest: Sendable, Hashable, Codable {
    /// The window used when `sinceSeconds` is absent: a day.
    public static let defaultWindowSeconds: Double = 86_400

    /// How far back the report looks, in seconds.
    public var sinceSeconds: Double?

    public init(sinceSeconds: Double? = nil) {
        self.sinceSeconds = sinceSeconds
    }

    /// The window's start for a report made at `now` (seconds since 1970); a window that is not a
    /// finite, non-negative number of seconds is the default one.
    public func since(now: Double) -> Double {
        let window = sinceSeconds.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? Self.defaultWindowSeconds
        return now - window
    }
}

/// Result of `audit.report`: the security events of a window, summarised.
public struct AuditReport: Sendable, Hashable, Codable {
    /// Seconds since 1970; the window is `since ..< until`.
    public var since: Double
    public var until: Double
    /// Events in the window.
    public var total: Int
    /// Events per tenant and type, most first.
    public var counts: [Count]
    /// The rules that fired most often, most first (at most ten).
    public var topRules: [RuleCount]
    /// Advice drawn from the figures; when nothing stands out, a single line saying so.
    public var recommendations: [String]

    /// Events of one type for one tenant (`tenant` absent: events without a tenant).
    public struct Count: Sendable, Hashable, Codable {
        public var tenant: String?
        public var type: AuditEventType
        public var count: Int

        public init(tenant: String?, type: AuditEventType, count: Int) {
            self.tenant = tenant
            self.type = type
            self.count = count
        }
    }

    /// Events that named one rule.
    public struct RuleCount: Sendable, Hashable, Codable {
        public var rule: String
        public var count: Int

        public init(rule: String, count: Int) {
            self.rule = rule
            self.count = count
        }
    }

    public init(
        since: Double,
        until: Double,
        total: Int,
        counts: [Count],
        topRules: [RuleCount],
        recommendations: [String]
    ) {
        self.since = since
        self.until = until
        self.total = total
        self.counts = counts
        self.topRules = topRules
        self.recommendations = recommendations
    }
}
