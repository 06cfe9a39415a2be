import NeuroLinkProtocol

/// A stored answer: the chunks its client received, in the batches they were written in, and
/// what a hit needs to answer like the original (finish reason, usage, provider and model).
public struct CachedAnswer: Sendable, Hashable, Codable {
    /// One write of the original stream, and when it went out (ms after the first).
    public struct Batch: Sendable, Hashable, Codable {
        public var offsetMs: Double
        public var chunks: [CachedChunk]

        public init(offsetMs: Double, chunks: [CachedChunk]) {
            self.offsetMs = offsetMs
            self.chunks = chunks
        }
    }

    public var batches: [Batch]
    public var finishReason: FinishReason
    public var usage: Usage?
    public var provider: String
    public var model: String
    /// The `maxTokens` the answer was made with (`nil`: none was sent).
    public var maxTokens: Int?
    /// Seconds since 1970.
    public var createdAt: Double
    public var expiresAt: Double

    public init(
        batches: [Batch],
        finishReason: FinishReason,
        usage: Usage?,
        provider: String,
        model: String,
        maxTokens: Int?,
        createdAt: Double,
        expiresAt: Double
    ) {
        self.batches = batches
        self.finishReason = finishReason
        self.usage = usage
        self.provider = provider
        self.model = model
        self.maxTokens = maxTokens
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether this answer may serve a request allowing `maxTokens` output tokens: one that
    /// stopped on its own serves any limit at least as large as its output (the limit did not
    /// shape it); one cut by `length` serves only the same limit.
    public func serves(maxTokens requested: Int?) -> Bool {
        guard stoppedOnItsOwn else { return requested == maxTokens }
        guard let requested else { return true }
        return requested >= (usage?.outputTokens ?? Int.max)
    }

    /// Ended by the model (`stop`, or to call tools), not by the output limit.
    public var stoppedOnItsOwn: Bool { finishReason == .stop || finishReason == .toolCalls }

    public var chunkCount: Int { batches.reduce(0) { $0 + $1.chunks.count } }
}

/// A chunk of a stored answer.
public enum CachedChunk: Sendable, Hashable, Codable {
    case text(String)
    case reasoning(String)
    case toolCall(ToolCall)
    case object(JSONValue)

    /// The chunk as the output sends it.
    var outgoing: OutgoingChunk {
        switch self {
        case .text(let text): .text(text)
        case .reasoning(let text): .reasoning(text)
        case .toolCall(let call): .toolCall(call)
        case .object(let object): .object(object)
        }
    }

    /// The part of the answer an outgoing chunk is, if it is one.
    init?(_ chunk: OutgoingChunk) {
        switch chunk {
        case .text(let text): self = .text(text)
        case .reasoning(let text): self = .reasoning(text)
        case .toolCall(let call): self = .toolCall(call)
        case .object(let object): self = .object(object)
        case .finish, .notice, .analytics, .evaluation, .toolResult: return nil
        }
    }

    /// Approximate bytes, for the entry size limit and the memory bound.
    public var size: Int {
        switch self {
        case .text(let text), .reasoning(let text): text.utf8.count
        case .toolCall(let call): call.id.utf8.count + call.name.utf8.count + call.arguments.approximateSize
        case .object(let object): object.approximateSize
        }
    }
}

/// Where the cache stage keeps answers: the daemon's `ResponseCache` (memory and SQLite), or a
/// test's. Lookups may read the disk; `store` never waits for it.
public protocol ResponseCacheStore: Sendable {
    /// The answer stored under `key` that serves `maxTokens`, if one has not expired at `now`.
    func lookup(_ key: CacheKey, maxTokens: Int?, now: Double) async -> CachedAnswer?
    /// Keeps `answer` under `key` (replacing the variant it would serve), for `owner`'s scope;
    /// with `semantic`, also in the semantic index of its scope.
    func store(_ answer: CachedAnswer, key: CacheKey, owner: CacheOwner, semantic: SemanticEntry?)
    /// The semantic tier: a stored answer to a similar last user turn within the same scope.
    func similar(_ query: SemanticQuery, now: Double) async -> SemanticOutcome
    /// The vector of a query's text, without a lookup: for an answer stored by a request that did
    /// not look up (`refresh`), so that its prompt is indexed too. `nil` when not ready in time.
    func vector(for query: SemanticQuery) async -> [Float]?
    /// Counts what the store cannot see itself: requests that did not look up, and what hits saved.
    func count(_ event: CacheEvent)
}

extension ResponseCacheStore {
    /// Keeps `answer` without indexing its prompt for the semantic tier.
    public func store(_ answer: CachedAnswer, key: CacheKey, owner: CacheOwner) {
        store(answer, key: key, owner: owner, semantic: nil)
    }
}

/// Who an entry belongs to, for `cache.clear` and `cache.inspect`.
public struct CacheOwner: Sendable, Hashable {
    /// The tenant's name; `nil` for a globally scoped entry.
    public var tenant: String?
    public var namespace: String?

    public init(tenant: String?, namespace: String?) {
        self.tenant = tenant
        self.namespace = namespace
    }
}

/// What the stage tells the store to count.
public enum CacheEvent: Sendable {
    /// A request that did not look up (its mode, or not eligible).
    case bypassed
    /// A hit's savings: the answer's usage, and its cost when the model's price is known.
    case saved(Usage?, cost: Double?)
}

/// A semantic lookup: the request's last user turn, within the scope of everything else it says.
public struct SemanticQuery: Sendable {
    /// The exact key of the request without its last user turn.
    public var scope: CacheKey
    public var text: String
    public var maxTokens: Int?
    /// Cosine similarity at least this serves (`cache.semantic.threshold`).
    public var threshold: Double
    /// Longest wait for the embedding before the lookup counts as a miss.
    public var waitLimit: Duration

    public init(scope: CacheKey, text: String, maxTokens: Int?, threshold: Double, waitLimit: Duration) {
        self.scope = scope
        self.text = text
        self.maxTokens = maxTokens
        self.threshold = threshold
        self.waitLimit = waitLimit
    }
}

/// What a semantic lookup found.
public enum SemanticOutcome: Sendable {
    /// A stored answer to a similar enough prompt that the meaning guard let through.
    case hit(CachedAnswer, similarity: Double, vector: [Float])
    /// The best candidate was similar enough, but the meaning guard refused it (`reason`).
    case refused(similarity: Double, reason: String, vector: [Float])
    /// Nothing similar enough; `best` is the closest candidate's similarity. `vector` is `nil`
    /// when the prompt could not be embedded in time (the worker was busy).
    case miss(best: Double?, vector: [Float]?)
}

/// What the semantic index keeps of a stored answer's prompt.
public struct SemanticEntry: Sendable {
    public var scope: CacheKey
    public var text: String
    public var vector: [Float]

    public init(scope: CacheKey, text: String, vector: [Float]) {
        self.scope = scope
        self.text = text
        self.vector = vector
    }
}
