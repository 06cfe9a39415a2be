import Foundation
import NeuroLinkProtocol
import Yams

extension DaemonConfig {
    /// `memory:`: conversation memory (docs/configuration.md, "memory").
    public struct Memory: Sendable, Hashable {
        public var enabled = true
        /// The database file; `nil` for `memory.sqlite` beside the analytics database.
        public var path: String?
        /// Most tokens (estimated) of history prepended to a request, oldest turns dropped first.
        public var maxTokens = 4_000
        /// A session not used for this long is forgotten.
        public var ttlMs = 7 * 86_400_000
        /// Tenants (glob patterns) whose requests with a `context.sessionId` use memory unless
        /// they send `memory: false`; everyone else's only with `memory: true`.
        public var defaultFor: [String] = []
        public var maxMessagesPerSession = 200
        public var maxSessionBytes = 1 << 20
        public var maxSessionsPerTenant = 10_000
        public init() {}

        /// Whether a request of `tenant` that says nothing about memory uses it.
        public func isDefault(for tenant: String) -> Bool {
            defaultFor.contains { Glob.matches($0, tenant) }
        }
    }
}

extension ConfigLoader {
    /// `memory.sqlite` beside the analytics database.
    public func defaultMemoryPath(isRoot: Bool = geteuid() == 0) -> String {
        let analytics = defaultAnalyticsPath(isRoot: isRoot)
        return String(analytics[..<(analytics.lastIndex(of: "/") ?? analytics.startIndex)]) + "/memory.sqlite"
    }

    func parseMemory(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Memory {
        var memory = DaemonConfig.Memory()
        guard !reader.isNull(node) else { return memory }
        let map = try reader.mapping(
            node,
            "memory",
            allowed: [
                "enabled", "path", "max_tokens", "ttl_ms", "default_for", "max_messages_per_session",
                "max_session_bytes", "max_sessions_per_tenant",
            ]
        )
        if let n = map["enabled"] { memory.enabled = try reader.bool(n, "memory.enabled") }
        if let n = map["path"] { memory.path = try reader.string(n, "memory.path") }
        if let n = map["max_tokens"] {
            memory.maxTokens = try reader.int(n, "memory.max_tokens", range: 1...10_000_000)
        }
        if let n = map["ttl_ms"] { memory.ttlMs = try reader.int(n, "memory.ttl_ms", range: 1_000...31_536_000_000) }
        if let n = map["default_for"] {
            memory.defaultFor = try reader.sequence(n, "memory.default_for").map { item throws(ConfigError) in
                try reader.string(item, "memory.default_for")
            }
        }
        if let n = map["max_messages_per_session"] {
            memory.maxMessagesPerSession = try reader.int(n, "memory.max_messages_per_session", range: 2...100_000)
        }
        if let n = map["max_session_bytes"] {
            memory.maxSessionBytes = try reader.int(n, "memory.max_session_bytes", range: 1_024...1_073_741_824)
        }
        if let n = map["max_sessions_per_tenant"] {
            memory.maxSessionsPerTenant = try reader.int(n, "memory.max_sessions_per_tenant", range: 1...10_000_000)
        }
        return memory
    }
}
