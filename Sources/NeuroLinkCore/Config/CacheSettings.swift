import Foundation
import NeuroLinkProtocol
import Yams

extension DaemonConfig {
    /// `cache:`: the response cache (docs/configuration.md, "cache").
    public struct Cache: Sendable, Hashable {
        public var enabled = true
        /// The database file; `nil` for `cache.sqlite` beside the analytics database.
        public var path: String?
        /// Memory the stored answers (compressed) may take.
        public var maxSizeMB = 256
        /// Bytes the database file's answers may take; the oldest go first.
        public var maxDiskMB = 1024
        /// An answer larger than this (uncompressed) is not stored.
        public var maxEntryKB = 1024
        /// How long a stored answer serves, unless a request's `cache.ttlMs` says otherwise.
        public var ttlMs = 86_400_000
        /// `tenant`: entries are shared within a tenant only; `global`: by every tenant.
        public var scope = Scope.tenant
        /// Cache requests with a temperature above 0 too.
        public var nondeterministic = false
        /// Store answers cut by `length` (they serve only requests with the same `maxTokens`).
        public var storeTruncated = false
        /// Store answers that call tools.
        public var storeToolCalls = false
        /// `fast`: a hit streams as fast as the client reads; `original`: at the pace it was made.
        public var replay = Replay.fast
        public init() {}

        public enum Scope: String, Sendable, Hashable, CaseIterable {
            case tenant, global
        }

        public enum Replay: String, Sendable, Hashable, CaseIterable {
            case fast, original
        }
    }
}

extension ConfigLoader {
    /// The cache database when `cache.path` is not set: beside the analytics database.
    public func defaultCachePath(isRoot: Bool = geteuid() == 0) -> String {
        let analytics = defaultAnalyticsPath(isRoot: isRoot)
        return String(analytics[..<(analytics.lastIndex(of: "/") ?? analytics.startIndex)]) + "/cache.sqlite"
    }

    func parseCache(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> DaemonConfig.Cache {
        var cache = DaemonConfig.Cache()
        guard !reader.isNull(node) else { return cache }
        let map = try reader.mapping(
            node,
            "cache",
            allowed: [
                "enabled", "path", "max_size_mb", "max_disk_mb", "max_entry_kb", "ttl_ms", "scope", "nondeterministic",
                "store_truncated", "store_tool_calls", "replay",
            ]
        )
        if let n = map["enabled"] { cache.enabled = try reader.bool(n, "cache.enabled") }
        if let n = map["path"] { cache.path = try reader.string(n, "cache.path") }
        if let n = map["max_size_mb"] { cache.maxSizeMB = try reader.int(n, "cache.max_size_mb", range: 1...1_048_576) }
        if let n = map["max_disk_mb"] {
            cache.maxDiskMB = try reader.int(n, "cache.max_disk_mb", range: 1...16_777_216)
        }
        if let n = map["max_entry_kb"] {
            cache.maxEntryKB = try reader.int(n, "cache.max_entry_kb", range: 1...65_536)
        }
        if let n = map["ttl_ms"] {
            cache.ttlMs = try reader.int(n, "cache.ttl_ms", range: 1_000...CacheControl.maxTTLMs)
        }
        if let n = map["scope"] { cache.scope = try reader.choice(n, "cache.scope") }
        if let n = map["replay"] {
            cache.replay = try reader.choice(n, "cache.replay")
        }
        if let n = map["nondeterministic"] { cache.nondeterministic = try reader.bool(n, "cache.nondeterministic") }
        if let n = map["store_truncated"] { cache.storeTruncated = try reader.bool(n, "cache.store_truncated") }
        if let n = map["store_tool_calls"] { cache.storeToolCalls = try reader.bool(n, "cache.store_tool_calls") }
        return cache
    }
}
