import Logging
import NeuroLinkBasics
import NeuroLinkCore
import NeuroLinkEmbedding
import NeuroLinkProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The daemon's response cache (docs/architecture.md, "Response cache"): answers in memory, an
/// LRU bounded by `cache.max_size_mb`, and in SQLite so they outlive a restart. The file's index
/// (keys, owners, expiry; no answers) is read at start; an answer is read from disk the first
/// time a lookup needs it. Requests never wait for a write: ``store(_:key:owner:)`` puts the
/// answer in memory and queues it for ``run()``, which writes batches in one transaction,
/// keeps the file within `cache.max_disk_mb` and drops expired entries hourly.
public final class ResponseCache: ResponseCacheStore, Sendable {
    struct MemoryEntry: Sendable {
        var owner: CacheOwner
        var variants: [CachedAnswer]
    }

    struct State: Sendable {
        var memory: MemoryLRU<String, MemoryEntry>
        /// What the database holds, by key and variant.
        var disk: [String: [Int: DiskEntry]] = [:]
        var diskBytes = 0
        var pending: [PendingWrite] = []
        var stats: CacheStats
        var lastPrune: Double?
        var semantic: SemanticIndex
    }

    /// An answer (and its prompt's vector) waiting to be written.
    struct PendingWrite: Sendable {
        var entry: DiskEntry
        var answer: CachedAnswer
        var semantic: SemanticEntry?
    }

    let settings: DaemonConfig.Cache
    let database: CacheDatabase?
    /// The embedding model (local or a provider's) and the meaning guard, when the semantic tier can run.
    public let embedder: (any TextEmbedder)?
    let meaningGuard: MeaningGuard?
    /// Why the database could not be opened; the cache then works in memory only.
    public let databaseError: String?
    let logger: Logger
    let state: Mutex<State>
    let doorbell = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// Writes waiting for the disk at most; past it an answer stays in memory only.
    static let maxPendingWrites = 1_000
    /// How long the writer, woken by the first answer queued, waits for more to join it: under load one
    /// transaction per window instead of one per answer (callgrind: a transaction took about 0.3 M instructions, an
    /// answer's JSON and compression 0.19 M). Longer windows made larger bursts on the cores the streams share.
    static let writeWindow = Duration.milliseconds(10)

    /// Opens the database at `path` (`nil`: memory only) and reads its index. With an
    /// `embedder`, the semantic tier answers ``similar(_:now:)``.
    public init(
        settings: DaemonConfig.Cache,
        path: String?,
        embedder: (any TextEmbedder)? = nil,
        semanticError: String? = nil,
        logger: Logger
    ) {
        self.settings = settings
        self.logger = logger
        self.embedder = embedder
        meaningGuard = embedder == nil ? nil : MeaningGuard.english
        var stats = CacheStats(enabled: settings.enabled)
        stats.capacityBytes = settings.maxSizeMB << 20
        if let embedder {
            stats.semantic = SemanticStats()
            stats.semantic?.embedding = embedder.identity
        }
        stats.semanticError = semanticError
        var initial = State(
            memory: MemoryLRU(capacity: stats.capacityBytes),
            stats: stats,
            semantic: SemanticIndex(capacity: settings.semantic.maxEntriesPerScope)
        )
        var database: CacheDatabase?
        var failure: String?
        if let path {
            do {
                let opened = try CacheDatabase(path: path)
                for entry in try opened.index(now: WallClock.unixSeconds) {
                    initial.disk[entry.key, default: [:]][entry.variant] = entry
                    initial.diskBytes += entry.size
                }
                database = opened
            } catch {
                failure = "\(path): \(error)"
                logger.error("the response cache works in memory only", metadata: ["error": "\(failure ?? "")"])
            }
        }
        self.database = database
        databaseError = failure
        state = Mutex(initial)
    }

    // MARK: - ResponseCacheStore

    public func lookup(_ key: CacheKey, maxTokens: Int?, now: Double) async -> CachedAnswer? {
        let answer = await self.answer(key.hex, maxTokens: maxTokens, now: now)
        state.withLock { state in
            state.stats.lookups += 1
            if answer == nil { state.stats.misses += 1 } else { state.stats.hits += 1 }
        }
        return answer
    }

    /// The stored answer under `key` that serves `maxTokens`: from memory, or read from disk.
    func answer(_ key: String, maxTokens: Int?, now: Double) async -> CachedAnswer? {
        let (found, onDisk) = state.withLock { state -> (CachedAnswer?, Bool) in
            if let answer = state.memory.value(for: key).flatMap({ Self.best($0.variants, maxTokens, now) }) {
                return (answer, false)
            }
            let diskVariants = state.disk[key]?.values.filter { $0.expiresAt > now } ?? []
            return (nil, !diskVariants.isEmpty)
        }
        guard found == nil, onDisk, let loaded = try? await database?.answers(key) else { return found }
        return state.withLock { state in
            let owner = state.disk[key]?.values.first?.owner ?? CacheOwner(tenant: nil, namespace: nil)
            for variant in loaded { Self.keep(variant, key: key, owner: owner, in: &state) }
            return Self.best(loaded, maxTokens, now)
        }
    }

    public func store(_ answer: CachedAnswer, key: CacheKey, owner: CacheOwner, semantic: SemanticEntry?) {
        var semantic = semantic
        if let scope = semantic?.scope { semantic?.scope = semanticScope(scope) }
        let firstQueued = state.withLock { state -> Bool in
            Self.keep(answer, key: key.hex, owner: owner, in: &state)
            if let semantic {
                state.semantic.add(
                    scope: semantic.scope.hex,
                    key: key.hex,
                    text: semantic.text,
                    vector: semantic.vector,
                    owner: owner,
                    expiresAt: answer.expiresAt
                )
            }
            state.stats.stored += 1
            guard database != nil, state.pending.count < Self.maxPendingWrites else { return false }
            let entry = DiskEntry(
                key: key.hex,
                variant: DiskEntry.variant(of: answer),
                owner: owner,
                createdAt: answer.createdAt,
                expiresAt: answer.expiresAt,
                size: 0
            )
            state.pending.append(PendingWrite(entry: entry, answer: answer, semantic: semantic))
            return state.pending.count == 1
        }
        // Only the first answer of a window rings: the writer takes the whole queue when it writes.
        if firstQueued { doorbell.continuation.yield() }
    }

    public func count(_ event: CacheEvent) {
        state.withLock { state in
            switch event {
            case .bypassed:
                state.stats.bypassed += 1
            case .saved(let usage, let cost):
                state.stats.savedInputTokens = state.stats.savedInputTokens.addingCount(usage?.inputTokens ?? 0)
                state.stats.savedOutputTokens = state.stats.savedOutputTokens.addingCount(usage?.outputTokens ?? 0)
                state.stats.savedCost += cost ?? 0
            }
        }
    }

    // MARK: - Memory

    /// The stored answer that serves `maxTokens`: one that stopped on its own first.
    static func best(_ variants: [CachedAnswer], _ maxTokens: Int?, _ now: Double) -> CachedAnswer? {
        let serving = variants.filter { $0.expiresAt > now && $0.serves(maxTokens: maxTokens) }
        return serving.first(where: \.stoppedOnItsOwn) ?? serving.first
    }

    /// Puts `answer` in memory beside the other variants of `key` (replacing its own variant).
    static func keep(_ answer: CachedAnswer, key: String, owner: CacheOwner, in state: inout State) {
        var entry = state.memory.peek(key) ?? MemoryEntry(owner: owner, variants: [])
        let variant = DiskEntry.variant(of: answer)
        entry.variants.removeAll { DiskEntry.variant(of: $0) == variant }
        entry.variants.append(answer)
        let bytes = entry.variants.reduce(key.utf8.count + 64) { $0 + $1.approximateBytes }
        state.stats.evictions += state.memory.set(entry, bytes: bytes, for: key)
    }
}

extension CachedAnswer {
    /// Memory an answer takes, roughly: its chunks' bytes and a fixed cost per chunk and answer.
    var approximateBytes: Int {
        batches.reduce(256) { total, batch in
            batch.chunks.reduce(total + 32) { $0 + $1.size + 48 }
        }
    }
}
