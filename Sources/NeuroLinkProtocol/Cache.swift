/// How a request uses the response cache: `params.cache` of `stream` and `generate`.
public struct CacheControl: Sendable, Hashable, Codable {
    public var mode: CacheMode?
    /// How long a stored answer stays valid, overriding `cache.ttl_ms`.
    public var ttlMs: Int?
    /// Entries are shared only by requests of the same namespace (within the tenant's scope).
    public var namespace: String?
    /// Use the semantic tier (`true`) or not (`false`) whatever `cache.semantic.enabled` says.
    public var semantic: Bool?

    public init(mode: CacheMode? = nil, ttlMs: Int? = nil, namespace: String? = nil, semantic: Bool? = nil) {
        self.mode = mode
        self.ttlMs = ttlMs
        self.namespace = namespace
        self.semantic = semantic
    }

    /// Longest `namespace`.
    public static let maxNamespaceLength = 64
    /// Longest `ttlMs`: 30 days.
    public static let maxTTLMs = 30 * 86_400_000
}

/// What a request does with the cache.
public enum CacheMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Look up, and store the answer when it may be stored. Given explicitly, it also opts a
    /// request with a temperature above 0 in.
    case `default`
    /// Neither look up nor store.
    case bypass
    /// Do not look up; store the new answer over the old one.
    case refresh
    /// Look up, but do not store.
    case noStore = "no-store"
    /// Answer only from the cache: a miss fails with `cache_miss`.
    case only
}

/// What became of a request's cache lookup (`result.cache`, the analytics row).
public struct CacheStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Answered from an exact match.
    public static let hit = CacheStatus(rawValue: "hit")
    /// Answered from a semantically similar request.
    public static let semanticHit = CacheStatus(rawValue: "semantic_hit")
    /// Looked up and not found.
    public static let miss = CacheStatus(rawValue: "miss")
    /// Not looked up: the request's mode, or it is not eligible (a temperature above 0).
    public static let bypass = CacheStatus(rawValue: "bypass")
    /// A similar entry was found but the meaning guard refused it.
    public static let refused = CacheStatus(rawValue: "refused")
}

/// `cache` in a result: how the cache took part in the request.
public struct CacheInfo: Sendable, Hashable, Codable {
    public var status: CacheStatus
    /// The entry's key (hex SHA-256), for `cache.inspect`; absent when the request was not eligible.
    public var key: String?
    /// On a hit: how old the answer is, in milliseconds.
    public var ageMs: Double?
    /// With the semantic tier: the cosine similarity of the best candidate (hit, refusal or miss).
    public var similarity: Double?
    /// On a refusal: what the meaning guard saw differ (`number`, `negation`, `comparative`, …).
    public var refusal: String?
    /// The new answer was stored.
    public var stored: Bool?
    /// On a hit: what the answer took when it was made, now not billed.
    public var savedUsage: Usage?
    /// On a hit: US dollars not spent, when the model's price is known.
    public var savedCost: Double?

    public init(status: CacheStatus, key: String? = nil) {
        self.status = status
        self.key = key
    }
}

/// Result of `cache.stats`, and `status.cache`.
public struct CacheStats: Sendable, Hashable, Codable {
    public var enabled: Bool
    /// Entries and bytes (compressed) held in memory, and the memory bound.
    public var entries: Int
    public var bytes: Int
    public var capacityBytes: Int
    /// Entries and bytes in the database file.
    public var diskEntries: Int?
    public var diskBytes: Int?
    /// Requests that looked the cache up, and how that ended, since start.
    public var lookups: Int
    public var hits: Int
    public var misses: Int
    /// Requests that did not look up (mode `bypass`/`refresh`, or not eligible).
    public var bypassed: Int
    public var stored: Int
    /// Entries pushed out of memory to stay within `cache.max_size_mb`.
    public var evictions: Int
    /// `hits / lookups`, 0...1; absent before the first lookup.
    public var hitRate: Double?
    /// Tokens and US dollars the hits did not spend.
    public var savedInputTokens: Int
    public var savedOutputTokens: Int
    public var savedCost: Double
    /// Why the database is unavailable (admins see the reason, others `"unavailable"`).
    public var error: String?
    /// The semantic tier's figures; absent when it is off or cannot run.
    public var semantic: SemanticStats?
    /// Why the semantic tier cannot run although `cache.semantic.enabled` is set (the model did
    /// not load).
    public var semanticError: String?

    public init(enabled: Bool) {
        self.enabled = enabled
        entries = 0
        bytes = 0
        capacityBytes = 0
        lookups = 0
        hits = 0
        misses = 0
        bypassed = 0
        stored = 0
        evictions = 0
        savedInputTokens = 0
        savedOutputTokens = 0
        savedCost = 0
    }
}

/// The semantic tier's figures since start.
public struct SemanticStats: Sendable, Hashable, Codable {
    /// The embedding model: `local` (all-MiniLM-L6-v2 in the daemon) or `provider/model`.
    public var embedding: String?
    /// Prompts indexed in memory, and roughly their bytes (vectors and texts).
    public var entries = 0
    public var bytes = 0
    /// Lookups after an exact miss, and those a similar prompt answered.
    public var lookups = 0
    public var hits = 0
    /// Lookups whose best candidate was similar enough but the meaning guard refused, by reason.
    public var refusals: [String: Int] = [:]
    /// Lookups that missed because the embedding was not ready within `max_lookup_ms` (or the
    /// worker's queue was full).
    public var unavailable = 0
    /// The best candidate's similarity of every lookup that had one, in buckets: below 0.80,
    /// then 0.80–0.85, 0.85–0.90, 0.90–0.93, 0.93–0.95, 0.95–0.97, 0.97–0.99, 0.99 and above.
    public var bestSimilarity = [Int](repeating: 0, count: 8)

    public init() {}

    /// The lower bounds of ``bestSimilarity``'s buckets after the first.
    public static let bucketBounds = [0.80, 0.85, 0.90, 0.93, 0.95, 0.97, 0.99]
}

/// Params of `cache.clear`: which entries to remove. Without `tenant`, the caller's own (an admin
/// may name any tenant, or `"*"` for all).
public struct CacheClearRequest: Sendable, Hashable, Codable {
    public var tenant: String?
    public var namespace: String?
    public init(tenant: String? = nil, namespace: String? = nil) {
        self.tenant = tenant
        self.namespace = namespace
    }
}

extension CacheClearRequest {
    /// Reads `cache.clear`'s params (absent params clear the caller's own entries).
    public init(json: JSONValue?) throws(RPCError) {
        self.init()
        guard let json, json != .null else { return }
        guard let object = json.objectValue else { throw RPCError(.invalidParams, "params must be an object") }
        for key in object.keys where key != "tenant" && key != "namespace" {
            throw RPCError(.invalidParams, "params.\(key) is not a known parameter")
        }
        for (key, value) in object where value != .null {
            guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= 256 else {
                throw RPCError(.invalidParams, "params.\(key) must be a non-empty string of at most 256 bytes")
            }
            if key == "tenant" { tenant = text } else { namespace = text }
        }
    }
}

/// Result of `cache.clear`.
public struct CacheClearResult: Sendable, Hashable, Codable {
    public var removed: Int
    public init(removed: Int) { self.removed = removed }
}

/// Params of `cache.inspect`.
public struct CacheInspectRequest: Sendable, Hashable, Codable {
    /// The hex key from `result.cache.key`.
    public var key: String
    public init(key: String) { self.key = key }
}

extension CacheInspectRequest {
    /// Reads `cache.inspect`'s params.
    public init(json: JSONValue?) throws(RPCError) {
        guard let object = json?.objectValue else { throw RPCError(.invalidParams, "params must be an object") }
        for name in object.keys where name != "key" {
            throw RPCError(.invalidParams, "params.\(name) is not a known parameter")
        }
        guard let key = object["key"]?.stringValue, key.utf8.count == 64,
            key.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw RPCError(
                .invalidParams,
                "params.key must be a cache key: 64 lower-case hex digits (result.cache.key)"
            )
        }
        self.init(key: key)
    }
}

/// Result of `cache.inspect`: what an entry is, never its text.
public struct CacheEntryInfo: Sendable, Hashable, Codable {
    public var key: String
    public var tenant: String?
    public var namespace: String?
    public var provider: String
    public var model: String
    /// Seconds since 1970.
    public var createdAt: Double
    public var expiresAt: Double
    /// Compressed size in bytes.
    public var bytes: Int
    public var chunks: Int
    public var finishReason: FinishReason
    public var usage: Usage?
    /// The `maxTokens` the answer was made with; it serves requests allowing at least its output
    /// (an answer that stopped) or exactly this limit (one cut by `length`).
    public var maxTokens: Int?

    public init(
        key: String,
        provider: String,
        model: String,
        createdAt: Double,
        expiresAt: Double,
        bytes: Int,
        chunks: Int,
        finishReason: FinishReason
    ) {
        self.key = key
        self.provider = provider
        self.model = model
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.bytes = bytes
        self.chunks = chunks
        self.finishReason = finishReason
    }
}
