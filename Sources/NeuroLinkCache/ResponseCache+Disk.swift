import Logging
import NeuroLinkBasics
import NeuroLinkCore
import NeuroLinkProtocol
import Synchronization

extension ResponseCache {
    /// Writes queued answers, each batch ``writeWindow`` after its first answer, until ``finish()``; then writes
    /// what is still queued. A cancelled task writes at once.
    public func run() async {
        for await _ in doorbell.stream {
            try? await Task.sleep(for: Self.writeWindow)
            await writePending()
            await pruneIfDue(now: WallClock.unixSeconds)
        }
        await writePending()
    }

    /// Ends ``run()`` once it has written what is queued.
    public func finish() {
        doorbell.continuation.finish()
    }

    /// Writes every queued answer, compressed, in one transaction; then keeps the file within
    /// `cache.max_disk_mb` by removing the oldest entries.
    func writePending() async {
        guard let database else { return }
        while true {
            let batch = state.withLock { state -> [PendingWrite] in
                defer { state.pending = [] }
                return state.pending
            }
            guard !batch.isEmpty else { return }
            let rows = batch.compactMap { write -> (DiskEntry, payload: [UInt8], rawSize: Int)? in
                guard let json = try? write.answer.diskJSON(), let payload = try? Deflate.compress(json) else {
                    return nil
                }
                var entry = write.entry
                entry.size = payload.count
                return (entry, payload, json.count)
            }
            let prompts = batch.compactMap { write in write.semantic.map { (write.entry, $0) } }
            do {
                try await database.write(rows, prompts: prompts)
                let doomed = state.withLock { state -> [DiskEntry] in
                    for (entry, _, _) in rows { Self.index(entry, in: &state) }
                    return Self.oldestBeyond(settings.maxDiskMB << 20, in: &state)
                }
                try await database.delete(doomed)
            } catch {
                logger.error("response cache: writing to the database failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Drops expired answers from memory, the index and the file, at most once an hour.
    func pruneIfDue(now: Double) async {
        let expired = state.withLock { state -> [DiskEntry]? in
            guard state.lastPrune.map({ now - $0 >= 3600 }) ?? true else { return nil }
            state.lastPrune = now
            _ = state.memory.removeAll { _, entry in entry.variants.allSatisfy { $0.expiresAt <= now } }
            state.semantic.remove { _, _, expiresAt in expiresAt <= now }
            return Self.removeFromIndex(in: &state) { $0.expiresAt <= now }
        }
        guard let expired, !expired.isEmpty else { return }
        try? await database?.delete(expired)
    }

    static func index(_ entry: DiskEntry, in state: inout State) {
        if let old = state.disk[entry.key]?[entry.variant] { state.diskBytes -= old.size }
        state.disk[entry.key, default: [:]][entry.variant] = entry
        state.diskBytes += entry.size
    }

    /// Removes the oldest entries from the index until it holds at most `limit` bytes; returns them.
    static func oldestBeyond(_ limit: Int, in state: inout State) -> [DiskEntry] {
        guard state.diskBytes > limit else { return [] }
        let byAge = state.disk.values.flatMap(\.values).sorted { $0.createdAt < $1.createdAt }
        var doomed: [DiskEntry] = []
        var bytes = state.diskBytes
        for entry in byAge where bytes > limit {
            doomed.append(entry)
            bytes -= entry.size
        }
        let set = Set(doomed)
        return removeFromIndex(in: &state) { set.contains($0) }
    }

    /// Removes the matching entries from the index; returns them.
    static func removeFromIndex(in state: inout State, where matches: (DiskEntry) -> Bool) -> [DiskEntry] {
        var removed: [DiskEntry] = []
        for (key, variants) in state.disk {
            for (variant, entry) in variants where matches(entry) {
                state.disk[key]?[variant] = nil
                state.diskBytes -= entry.size
                removed.append(entry)
            }
            if state.disk[key]?.isEmpty == true { state.disk[key] = nil }
        }
        return removed
    }
}

extension ResponseCache {
    /// The cache's figures (`cache.stats`, `status.cache`); `showError` gives the database's reason.
    public func stats(showError: Bool) -> CacheStats {
        state.withLock { state in
            var stats = state.stats
            stats.entries = state.memory.count
            stats.bytes = state.memory.bytes
            if database != nil {
                stats.diskEntries = state.disk.values.reduce(0) { $0 + $1.count }
                stats.diskBytes = state.diskBytes
            }
            stats.hitRate = stats.lookups > 0 ? Double(stats.hits) / Double(stats.lookups) : nil
            stats.semantic?.entries = state.semantic.count
            stats.semantic?.bytes = state.semantic.bytes
            if databaseError != nil { stats.error = showError ? databaseError : "unavailable" }
            return stats
        }
    }

    /// Removes the entries of `tenant` (`nil`: every tenant's and the global ones) in `namespace`
    /// (`nil`: every namespace); returns how many keys went.
    public func clear(tenant: String?, namespace: String?, everyTenant: Bool) async -> Int {
        let matches = { (owner: CacheOwner) -> Bool in
            (everyTenant || owner.tenant == tenant) && (namespace == nil || owner.namespace == namespace)
        }
        let (keys, doomed) = state.withLock { state -> (Set<String>, [DiskEntry]) in
            var keys = Set<String>()
            _ = state.memory.removeAll { key, entry in
                guard matches(entry.owner) else { return false }
                keys.insert(key)
                return true
            }
            let doomed = Self.removeFromIndex(in: &state) { matches($0.owner) }
            keys.formUnion(doomed.map(\.key))
            state.pending.removeAll { matches($0.entry.owner) }
            state.semantic.remove { _, owner, _ in matches(owner) }
            return (keys, doomed)
        }
        try? await database?.delete(doomed)
        return keys.count
    }

    /// What is stored under `key`, if `tenant` may see it (`nil`: an admin, who sees everything).
    public func inspect(_ key: CacheKey, tenant: String?) async -> CacheEntryInfo? {
        let known = state.withLock { state -> (CacheOwner, [CachedAnswer])? in
            if let entry = state.memory.peek(key.hex) { return (entry.owner, entry.variants) }
            return state.disk[key.hex]?.values.first.map { ($0.owner, []) }
        }
        guard let (owner, inMemory) = known, tenant == nil || owner.tenant == tenant else { return nil }
        var variants = inMemory
        if variants.isEmpty { variants = (try? await database?.answers(key.hex)) ?? [] }
        guard let answer = variants.first(where: \.stoppedOnItsOwn) ?? variants.first else { return nil }
        var info = CacheEntryInfo(
            key: key.hex,
            provider: answer.provider,
            model: answer.model,
            createdAt: answer.createdAt,
            expiresAt: answer.expiresAt,
            bytes: answer.approximateBytes,
            chunks: answer.chunkCount,
            finishReason: answer.finishReason
        )
        info.tenant = owner.tenant
        info.namespace = owner.namespace
        info.usage = answer.usage
        info.maxTokens = answer.maxTokens
        return info
    }
}
