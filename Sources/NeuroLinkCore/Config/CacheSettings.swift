import Foundation
import NeuroLinkProtocol
import NeuroLinkProviders
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
        /// `cache.semantic`: the similarity tier (off unless configured or asked for).
        public var semantic = Semantic()
        public init() {}

        /// `cache.semantic`: answers to similar last user turns, with the local embedding model.
        public struct Semantic: Sendable, Hashable {
            /// On for every eligible request (a request's `cache.semantic` says otherwise for itself).
            public var enabled = false
            /// When not empty, only requests to these pools and providers use it.
            public var only: [String] = []
            /// Where the prompts' vectors come from: the built-in model or a provider's endpoint.
            public var embedding = Embedding.local
            /// The local model's directory (`model.safetensors`, `vocab.txt`); `nil` for the default.
            public var modelDirectory: String?
            /// Cosine similarity at least this serves.
            public var threshold = 0.95
            /// Longest wait for an embedding before the lookup is a miss.
            public var maxLookupMs = 100
            /// Prompts waiting for the embedding worker at most; past it a lookup is a miss.
            public var queueSize = 64
            /// Entries one scope keeps at most; the oldest go first.
            public var maxEntriesPerScope = 10_000
            /// Match conversations with more than one user turn too.
            public var multiTurn = false
            public init() {}
        }

        /// `cache.semantic.embedding`: the model that turns prompts into vectors.
        public enum Embedding: Sendable, Hashable {
            /// all-MiniLM-L6-v2, run inside the daemon.
            case local
            /// A configured provider's embedding endpoint.
            case provider(name: String, model: String)

            /// Names the vectors' model: vectors of different models are never compared, so it is
            /// part of the semantic tier's scope.
            public var identity: String {
                switch self {
                case .local: "local"
                case .provider(let name, let model): "\(name)/\(model)"
                }
            }
        }

        public enum Scope: String, Sendable, Hashable, CaseIterable {
            case tenant, global
        }

        public enum Replay: String, Sendable, Hashable, CaseIterable {
            case fast, original
        }
    }
}

extension ConfigLoader {
    /// The embedding model's directory when `cache.semantic.model_dir` is not set (where
    /// `scripts/embedding-model.sh` installs it).
    public func defaultModelDirectory(isRoot: Bool = geteuid() == 0) -> String {
        let model = "/neurolink/models/all-MiniLM-L6-v2"
        if isRoot { return "/usr/local/share" + model }
        let data =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + model
    }

    /// The audit database when `security.audit.path` is not set: beside the analytics database.
    public func defaultAuditPath(isRoot: Bool = geteuid() == 0) -> String {
        let analytics = defaultAnalyticsPath(isRoot: isRoot)
        return String(analytics[..<(analytics.lastIndex(of: "/") ?? analytics.startIndex)]) + "/audit.sqlite"
    }

    /// The cache database when `cache.path` is not set: beside the analytics database.
    public func defaultCachePath(isRoot: Bool = geteuid() == 0) -> String {
        let analytics = defaultAnalyticsPath(isRoot: isRoot)
        return String(analytics[..<(analytics.lastIndex(of: "/") ?? analytics.startIndex)]) + "/cache.sqlite"
    }

    func parseCache(
        _ node: Node,
        _ reader: YAMLReader,
        providers: [ProviderConfig]
    ) throws(ConfigError) -> DaemonConfig.Cache {
        var cache = DaemonConfig.Cache()
        guard !reader.isNull(node) else { return cache }
        let map = try reader.mapping(
            node,
            "cache",
            allowed: [
                "enabled", "path", "max_size_mb", "max_disk_mb", "max_entry_kb", "ttl_ms", "scope", "nondeterministic",
                "store_truncated", "store_tool_calls", "replay", "semantic",
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
        if let n = map["semantic"], !reader.isNull(n) {
            cache.semantic = try parseSemantic(n, reader, providers: providers)
        }
        return cache
    }

    private func parseSemantic(
        _ node: Node,
        _ reader: YAMLReader,
        providers: [ProviderConfig]
    ) throws(ConfigError) -> DaemonConfig.Cache.Semantic {
        var semantic = DaemonConfig.Cache.Semantic()
        let key = "cache.semantic"
        let map = try reader.mapping(
            node,
            key,
            allowed: [
                "enabled", "only", "model_dir", "embedding", "threshold", "max_lookup_ms", "queue_size",
                "max_entries_per_scope", "multi_turn",
            ]
        )
        if let n = map["enabled"] { semantic.enabled = try reader.bool(n, "\(key).enabled") }
        if let n = map["only"] {
            semantic.only = try reader.sequence(n, "\(key).only").map { item throws(ConfigError) in
                try reader.string(item, "\(key).only")
            }
        }
        if let n = map["model_dir"] { semantic.modelDirectory = try reader.string(n, "\(key).model_dir") }
        if let n = map["embedding"] { semantic.embedding = try parseEmbedding(n, reader, providers: providers) }
        if let n = map["threshold"] { semantic.threshold = try reader.double(n, "\(key).threshold", range: 0.5...1) }
        if let n = map["max_lookup_ms"] {
            semantic.maxLookupMs = try reader.int(n, "\(key).max_lookup_ms", range: 1...10_000)
        }
        if let n = map["queue_size"] { semantic.queueSize = try reader.int(n, "\(key).queue_size", range: 1...10_000) }
        if let n = map["max_entries_per_scope"] {
            semantic.maxEntriesPerScope = try reader.int(n, "\(key).max_entries_per_scope", range: 1...1_000_000)
        }
        if let n = map["multi_turn"] { semantic.multiTurn = try reader.bool(n, "\(key).multi_turn") }
        return semantic
    }

    /// `local`, or `{provider, model}` naming a configured provider that has an embedding endpoint.
    private func parseEmbedding(
        _ node: Node,
        _ reader: YAMLReader,
        providers: [ProviderConfig]
    ) throws(ConfigError) -> DaemonConfig.Cache.Embedding {
        let key = "cache.semantic.embedding"
        if case .scalar = node {
            guard try reader.string(node, key) == "local" else {
                throw reader.error(node, key, "expected local or a mapping with provider and model")
            }
            return .local
        }
        let map = try reader.mapping(node, key, allowed: ["provider", "model"])
        guard let providerNode = map["provider"], let modelNode = map["model"] else {
            throw reader.error(node, key, "needs both provider and model")
        }
        let name = try reader.string(providerNode, "\(key).provider")
        guard let provider = providers.first(where: { $0.name == name }) else {
            throw reader.error(
                providerNode,
                "\(key).provider",
                "\(YAMLReader.shown(name)) is not a configured provider"
            )
        }
        guard provider.type.hasEmbeddings else {
            throw reader.error(
                providerNode,
                "\(key).provider",
                "\(YAMLReader.shown(name)) is of type \(provider.type.rawValue), which has no embedding endpoint"
            )
        }
        return .provider(name: name, model: try reader.string(modelNode, "\(key).model"))
    }
}
