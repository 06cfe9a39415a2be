/// One alert rule and where it stands, in `alerts.list` and `status.alerts`.
public struct AlertStatus: Sendable, Hashable, Codable {
    public var name: String
    /// `error_rate`, `p95_duration_ms`, `p95_ttfc_ms`, `queue_size`, `breakers_open` or `analytics_drops`.
    public var metric: String
    /// `above` or `below`.
    public var condition: String
    public var threshold: Double
    public var windowMs: Int
    /// `critical`, `warning` or `info`.
    public var severity: String
    /// `firing` or `ok`.
    public var state: String
    /// The metric's value at the last evaluation; absent before the first, or without data (no requests).
    public var value: Double?
    /// When the rule last changed state, in seconds since 1970.
    public var since: Double?
    /// How often it has fired since the daemon started.
    public var fired: Int

    public init(
        name: String,
        metric: String,
        condition: String,
        threshold: Double,
        windowMs: Int,
        severity: String,
        state: String,
        value: Double?,
        since: Double?,
        fired: Int
    ) {
        self.name = name
        self.metric = metric
        self.condition = condition
        self.threshold = threshold
        self.windowMs = windowMs
        self.severity = severity
        self.state = state
        self.value = value
        self.since = since
        self.fired = fired
    }
}

/// Result of `alerts.list`.
public struct AlertsListResult: Sendable, Hashable, Codable {
    public var alerts: [AlertStatus]

    public init(alerts: [AlertStatus]) {
        self.alerts = alerts
    }
}
