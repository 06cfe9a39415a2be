import Foundation
import Yams

extension DaemonConfig {
    /// `analytics:`: the SQLite record of every request (docs/configuration.md, "analytics").
    public struct Analytics: Sendable, Hashable {
        public var enabled = true
        /// The database file; `nil` for the default (``ConfigLoader/defaultAnalyticsPath(isRoot:)``).
        public var path: String?
        /// Rows older than this many days are deleted (hourly); 0 keeps them forever.
        public var retentionDays = 30
        /// The share of requests recorded, 0...1: each request is kept with this probability.
        public var samplingRate = 1.0
        /// Rows wait at most this long in memory before they are written: what a SIGKILL may lose.
        public var flushIntervalMs = 1000
        /// Rows waiting to be written at most; past it new rows are dropped and counted.
        public var queueCapacity = 10_000
        /// Most often a `stream` with `enableAnalytics` gets an `analytics` chunk.
        public var streamIntervalMs = 1000
        public init() {}
    }
}

extension ConfigLoader {
    /// The analytics database when `analytics.path` is not set: the service's state directory
    /// (`$STATE_DIRECTORY`, set by systemd's `StateDirectory=`), `/var/lib/neurolink` for root,
    /// else `$XDG_STATE_HOME/neurolink` (`~/.local/state/neurolink`).
    public func defaultAnalyticsPath(isRoot: Bool = geteuid() == 0) -> String {
        let file = "/analytics.sqlite"
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty {
            return String(state) + file
        }
        if isRoot { return "/var/lib/neurolink" + file }
        let base =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return base + "/neurolink" + file
    }

    func parseAnalytics(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Analytics {
        var analytics = DaemonConfig.Analytics()
        let map = try reader.mapping(
            node,
            "analytics",
            allowed: [
                "enabled", "path", "retention_days", "sampling_rate", "flush_interval_ms", "queue_size",
                "stream_interval_ms",
            ]
        )
        if let n = map["enabled"] { analytics.enabled = try reader.bool(n, "analytics.enabled") }
        if let n = map["path"] { analytics.path = try reader.string(n, "analytics.path") }
        if let n = map["retention_days"] {
            analytics.retentionDays = try reader.int(n, "analytics.retention_days", range: 0...36_500)
        }
        if let n = map["sampling_rate"] {
            analytics.samplingRate = try reader.double(n, "analytics.sampling_rate", range: 0...1)
        }
        if let n = map["flush_interval_ms"] {
            analytics.flushIntervalMs = try reader.int(n, "analytics.flush_interval_ms", range: 10...60_000)
        }
        if let n = map["stream_interval_ms"] {
            analytics.streamIntervalMs = try reader.int(n, "analytics.stream_interval_ms", range: 50...60_000)
        }
        if let n = map["queue_size"] {
            analytics.queueCapacity = try reader.int(n, "analytics.queue_size", range: 1...1_000_000)
        }
        return analytics
    }

    /// `pricing:` — a mapping of model id (or id prefix) to `{input, output, cached_input}` in US
    /// dollars per million tokens.
    func parsePricing(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> [String: ModelPrice] {
        guard case .mapping(let mapping) = node else {
            throw reader.error(node, "pricing", "expected a mapping of model ids to prices")
        }
        var prices: [String: ModelPrice] = [:]
        let range = 0.0...1_000_000
        for (keyNode, value) in mapping {
            let model = try reader.string(keyNode, "pricing")
            let key = "pricing.\(model)"
            guard prices[model] == nil else { throw reader.error(keyNode, key, "duplicate key") }
            let map = try reader.mapping(value, key, allowed: ["input", "output", "cached_input"])
            guard let input = map["input"], let output = map["output"] else {
                throw reader.error(value, key, "needs both input and output (US dollars per million tokens)")
            }
            prices[model] = ModelPrice(
                input: try reader.double(input, "\(key).input", range: range),
                output: try reader.double(output, "\(key).output", range: range),
                cachedInput: try map["cached_input"].map { node throws(ConfigError) in
                    try reader.double(node, "\(key).cached_input", range: range)
                }
            )
        }
        return prices
    }
}
