import Yams

extension DaemonConfig {
    /// `alerts:`: rules the daemon evaluates on its own figures (docs/configuration.md, "alerts").
    public struct Alerts: Sendable, Hashable {
        public var intervalMs = 10_000
        public var webhook: Webhook?
        public var rules: [AlertRule] = []
        public init() {}
    }

    /// Where firing and resolved transitions are POSTed as JSON.
    public struct Webhook: Sendable, Hashable {
        public var url: String
        /// Further attempts after a failed delivery (network error or 5xx), 1 s, 2 s, 4 s … apart.
        public var retries = 3
        public var timeoutMs = 5000
    }
}

/// One alert rule: `metric` compared with `threshold` over the last `windowMs`.
public struct AlertRule: Sendable, Hashable {
    public enum Metric: String, Sendable, Hashable, CaseIterable {
        /// Failed requests (`error`, `rejected`, `queue_timeout`) over requests that ended, 0...1;
        /// cancellations and closed connections do not count.
        case errorRate = "error_rate"
        case p95DurationMs = "p95_duration_ms"
        case p95FirstChunkMs = "p95_ttfc_ms"
        /// Requests waiting in the admission queue now.
        case queueSize = "queue_size"
        /// Pool members whose circuit breaker is open or half-open now.
        case breakersOpen = "breakers_open"
        /// Analytics rows dropped during the window.
        case analyticsDrops = "analytics_drops"
        /// Response-cache hits over lookups during the window, 0...1 (no value without lookups).
        case cacheHitRate = "cache_hit_rate"
    }

    public enum Severity: String, Sendable, Hashable, CaseIterable { case critical, warning, info }
    public enum Condition: String, Sendable, Hashable, CaseIterable { case above, below }

    public var name: String
    public var metric: Metric
    public var threshold: Double
    public var condition = Condition.above
    public var windowMs = 300_000
    public var severity = Severity.warning

    public init(name: String, metric: Metric, threshold: Double) {
        self.name = name
        self.metric = metric
        self.threshold = threshold
    }

    /// Whether `value` breaks the rule.
    public func breached(by value: Double) -> Bool {
        condition == .above ? value > threshold : value < threshold
    }
}

extension ConfigLoader {
    func parseAlerts(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Alerts {
        var alerts = DaemonConfig.Alerts()
        let map = try reader.mapping(node, "alerts", allowed: ["interval_ms", "webhook", "rules"])
        if let n = map["interval_ms"] {
            alerts.intervalMs = try reader.int(n, "alerts.interval_ms", range: 100...3_600_000)
        }
        if let n = map["webhook"], !reader.isNull(n) {
            let hook = try reader.mapping(n, "alerts.webhook", allowed: ["url", "retries", "timeout_ms"])
            guard let urlNode = hook["url"] else { throw reader.error(n, "alerts.webhook.url", "is required") }
            let url = try reader.string(urlNode, "alerts.webhook.url")
            guard Self.isHTTPURL(url) else {
                throw reader.error(urlNode, "alerts.webhook.url", "must be an http:// or https:// URL")
            }
            var webhook = DaemonConfig.Webhook(url: url)
            if let r = hook["retries"] { webhook.retries = try reader.int(r, "alerts.webhook.retries", range: 0...10) }
            if let t = hook["timeout_ms"] {
                webhook.timeoutMs = try reader.int(t, "alerts.webhook.timeout_ms", range: 100...60_000)
            }
            alerts.webhook = webhook
        }
        if let n = map["rules"], !reader.isNull(n) {
            var names: Set<String> = []
            for (index, item) in try reader.sequence(n, "alerts.rules").enumerated() {
                let rule = try parseRule(item, "alerts.rules[\(index)]", reader)
                guard names.insert(rule.name).inserted else {
                    throw reader.error(
                        item,
                        "alerts.rules[\(index)].name",
                        "\(YAMLReader.shown(rule.name)) is already used"
                    )
                }
                alerts.rules.append(rule)
            }
        }
        return alerts
    }

    private func parseRule(_ node: Node, _ key: String, _ reader: YAMLReader) throws(ConfigError) -> AlertRule {
        let map = try reader.mapping(
            node,
            key,
            allowed: ["name", "metric", "threshold", "condition", "window_ms", "severity"]
        )
        for required in ["name", "metric", "threshold"] where map[required] == nil {
            throw reader.error(node, "\(key).\(required)", "is required")
        }
        guard let nameNode = map["name"], let metricNode = map["metric"], let thresholdNode = map["threshold"] else {
            throw reader.error(node, key, "needs name, metric and threshold")
        }
        let metricName = try reader.string(metricNode, "\(key).metric")
        guard let metric = AlertRule.Metric(rawValue: metricName) else {
            let known = AlertRule.Metric.allCases.map(\.rawValue).joined(separator: ", ")
            throw reader.error(metricNode, "\(key).metric", "expected one of \(known)")
        }
        var rule = AlertRule(
            name: try reader.string(nameNode, "\(key).name"),
            metric: metric,
            threshold: try reader.double(thresholdNode, "\(key).threshold", range: -1e15...1e15)
        )
        if let n = map["condition"] { rule.condition = try reader.choice(n, "\(key).condition") }
        if let n = map["severity"] { rule.severity = try reader.choice(n, "\(key).severity") }
        if let n = map["window_ms"] { rule.windowMs = try reader.int(n, "\(key).window_ms", range: 1000...86_400_000) }
        return rule
    }
}
