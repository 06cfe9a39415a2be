import Yams

extension DaemonConfig {
    /// `metrics:`: where Prometheus can read the daemon's metrics (docs/configuration.md, "metrics").
    public struct Metrics: Sendable, Hashable {
        /// `host:port` of an HTTP listener serving `/metrics`; `nil` for none (RPC `metrics` always works).
        public var listen: Endpoint?
        /// Where to push the metrics, when set.
        public var pushgateway: Pushgateway?
        public init() {}
    }

    /// `metrics.pushgateway`: the metrics are PUT to `url` every `intervalMs`, grouped by `job` and
    /// `instance` (Pushgateway's `/metrics/job/<job>/instance/<instance>`).
    public struct Pushgateway: Sendable, Hashable {
        /// The gateway's base URL, such as `http://127.0.0.1:9091`.
        public var url: String
        public var intervalMs = 15_000
        public var job = "neurolink"
        /// Default: the host name.
        public var instance: String?
    }

    /// A TCP address: an IPv4 or IPv6 literal or `localhost`, and a port.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }
}

extension ConfigLoader {
    func parseMetrics(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Metrics {
        var metrics = DaemonConfig.Metrics()
        let map = try reader.mapping(node, "metrics", allowed: ["listen", "pushgateway"])
        if let n = map["pushgateway"], !reader.isNull(n) { metrics.pushgateway = try parsePushgateway(n, reader) }
        if let n = map["listen"], !reader.isNull(n) {
            let text = try reader.string(n, "metrics.listen")
            guard let endpoint = Self.endpoint(text) else {
                throw reader.error(n, "metrics.listen", "expected host:port, such as 127.0.0.1:9464 or [::1]:9464")
            }
            metrics.listen = endpoint
        }
        return metrics
    }

    private func parsePushgateway(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Pushgateway {
        let key = "metrics.pushgateway"
        let map = try reader.mapping(node, key, allowed: ["url", "interval_ms", "job", "instance"])
        guard let urlNode = map["url"] else { throw reader.error(node, "\(key).url", "is required") }
        let url = try reader.string(urlNode, "\(key).url")
        guard Self.isHTTPURL(url) else {
            throw reader.error(urlNode, "\(key).url", "must be an http:// or https:// URL")
        }
        var gateway = DaemonConfig.Pushgateway(url: url.hasSuffix("/") ? String(url.dropLast()) : url)
        if let n = map["interval_ms"] {
            gateway.intervalMs = try reader.int(n, "\(key).interval_ms", range: 100...3_600_000)
        }
        for (name, node) in [("job", map["job"]), ("instance", map["instance"])] {
            guard let node else { continue }
            let value = try reader.string(node, "\(key).\(name)")
            guard value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw reader.error(node, "\(key).\(name)", "may hold only ASCII letters, digits, '-', '_' and '.'")
            }
            if name == "job" { gateway.job = value } else { gateway.instance = value }
        }
        return gateway
    }

    /// `127.0.0.1:9464`, `[::1]:9464` or `localhost:9464`; the port 1–65535.
    static func endpoint(_ text: String) -> DaemonConfig.Endpoint? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(" ") else { return nil }
        return DaemonConfig.Endpoint(host: host, port: port)
    }
}
