import Foundation
import Logging
import NeuroLinkCore
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCache

/// The store in process: variants and partial matching, the byte-bounded LRU, persistence with
/// lazy loading, expiry, clearing by owner and the disk bound.
@Suite struct ResponseCacheTests {
    static func answer(
        _ text: String,
        finish: FinishReason = .stop,
        output: Int = 10,
        maxTokens: Int? = 100,
        ttl: Double = 3600
    ) -> CachedAnswer {
        let now = Date().timeIntervalSince1970
        return CachedAnswer(
            batches: [CachedAnswer.Batch(offsetMs: 0, chunks: [.text(text)])],
            finishReason: finish,
            usage: Usage(inputTokens: 5, outputTokens: output),
            provider: "p",
            model: "m",
            maxTokens: maxTokens,
            createdAt: now,
            expiresAt: now + ttl
        )
    }

    static func key(_ seed: String) throws -> CacheKey {
        let hex = seed.utf8.reduce(into: "") { $0 += String(format: "%02x", $1) }
        return try #require(CacheKey(hex: String((hex + String(repeating: "0", count: 64)).prefix(64))))
    }

    static func directory() -> String {
        "/tmp/nlc-\(UUID().uuidString.prefix(8))"
    }

    static let owner = CacheOwner(tenant: "alice", namespace: nil)
    static let now = Date().timeIntervalSince1970

    @Test func aStoppedAnswerServesLargerLimitsAndACutOneOnlyItsOwn() async throws {
        let cache = ResponseCache(settings: DaemonConfig.Cache(), path: nil, logger: Logger(label: "t"))
        let stopped = try Self.key("stopped")
        cache.store(Self.answer("done", output: 10, maxTokens: 100), key: stopped, owner: Self.owner)
        #expect(await cache.lookup(stopped, maxTokens: 10, now: Self.now)?.batches.first?.chunks == [.text("done")])
        #expect(await cache.lookup(stopped, maxTokens: 5000, now: Self.now) != nil)
        #expect(await cache.lookup(stopped, maxTokens: nil, now: Self.now) != nil)
        #expect(await cache.lookup(stopped, maxTokens: 9, now: Self.now) == nil, "the limit would have cut it")

        let cut = try Self.key("cut")
        cache.store(Self.answer("partial", finish: .length, output: 50, maxTokens: 50), key: cut, owner: Self.owner)
        #expect(await cache.lookup(cut, maxTokens: 50, now: Self.now) != nil)
        #expect(await cache.lookup(cut, maxTokens: 51, now: Self.now) == nil)
        // A later stopped answer is preferred for limits it serves.
        cache.store(Self.answer("whole", output: 30, maxTokens: 200), key: cut, owner: Self.owner)
        #expect(await cache.lookup(cut, maxTokens: 50, now: Self.now)?.batches.first?.chunks == [.text("whole")])
        let stats = cache.stats(showError: true)
        #expect(stats.lookups == 7 && stats.hits == 5 && stats.misses == 2 && stats.stored == 3)
    }

    @Test func memoryIsBoundedInBytesAndEvictsTheLeastRecentlyUsed() {
        var lru = MemoryLRU<String, Int>(capacity: 100)
        lru.set(1, bytes: 40, for: "a")
        lru.set(2, bytes: 40, for: "b")
        #expect(lru.value(for: "a") == 1)  // "b" is now the least recently used
        #expect(lru.set(3, bytes: 40, for: "c") == 1)
        #expect(lru.peek("b") == nil && lru.peek("a") == 1 && lru.peek("c") == 3)
        #expect(lru.bytes == 80 && lru.count == 2)
        #expect(lru.set(4, bytes: 101, for: "huge") == 0 && lru.peek("huge") == nil, "larger than the whole bound")
        lru.set(5, bytes: 10, for: "a")
        #expect(lru.bytes == 50 && lru.peek("a") == 5)
        #expect(lru.removeAll { key, _ in key == "c" } == 1 && lru.count == 1)
    }

    @Test func answersOutliveARestartAndLoadOnFirstUse() async throws {
        let path = Self.directory() + "/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let first = ResponseCache(settings: DaemonConfig.Cache(), path: path, logger: Logger(label: "t"))
        #expect(first.databaseError == nil)
        let key = try Self.key("persist")
        let stored = Self.answer(String(repeating: "compressible ", count: 200))
        first.store(stored, key: key, owner: Self.owner)
        await first.writePending()

        let second = ResponseCache(settings: DaemonConfig.Cache(), path: path, logger: Logger(label: "t"))
        #expect(second.stats(showError: true).entries == 0, "nothing is loaded until a lookup needs it")
        #expect(second.stats(showError: true).diskEntries == 1)
        let diskBytes = try #require(second.stats(showError: true).diskBytes)
        #expect(diskBytes < 400, "zlib compressed 2,600 bytes to \(diskBytes)")
        #expect(await second.lookup(key, maxTokens: 100, now: Self.now) == stored)
        #expect(second.stats(showError: true).entries == 1)
        #expect(await second.inspect(key, tenant: "bob") == nil, "another tenant may not see it")
        #expect(await second.inspect(key, tenant: "alice")?.chunks == 1)
    }

    /// The writer waits a window after the first answer queued, so that answers arriving together share one
    /// transaction, and ``ResponseCache/finish()`` still writes whatever is queued.
    @Test func answersWaitOneWindowForOthersAndNoneIsLostAtFinish() async throws {
        let path = Self.directory() + "/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let cache = ResponseCache(settings: DaemonConfig.Cache(), path: path, logger: Logger(label: "t"))
        let writer = Task { await cache.run() }
        let queued = ContinuousClock.now
        cache.store(Self.answer("first"), key: try Self.key("w0"), owner: Self.owner)
        while cache.stats(showError: true).diskEntries == 0 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(ContinuousClock.now - queued >= ResponseCache.writeWindow, "written before its window ended")

        for index in 1...3 { cache.store(Self.answer("more"), key: try Self.key("w\(index)"), owner: Self.owner) }
        cache.finish()
        await writer.value
        #expect(cache.stats(showError: true).diskEntries == 4)
        let reopened = ResponseCache(settings: DaemonConfig.Cache(), path: path, logger: Logger(label: "t"))
        #expect(reopened.stats(showError: true).diskEntries == 4)
    }

    @Test func expiredAnswersDoNotServeAndArePruned() async throws {
        let path = Self.directory() + "/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let cache = ResponseCache(settings: DaemonConfig.Cache(), path: path, logger: Logger(label: "t"))
        let key = try Self.key("expiring")
        let answer = Self.answer("old", ttl: 1)
        cache.store(answer, key: key, owner: Self.owner)
        await cache.writePending()
        // After its own expiry: `Self.now` was fixed when the suite first read it, which on a loaded
        // machine can be seconds before this answer was made.
        let later = answer.expiresAt + 1
        #expect(await cache.lookup(key, maxTokens: 100, now: answer.createdAt) != nil)
        #expect(await cache.lookup(key, maxTokens: 100, now: later) == nil)
        await cache.pruneIfDue(now: later)
        #expect(cache.stats(showError: true).diskEntries == 0 && cache.stats(showError: true).entries == 0)
    }

    @Test func clearingRemovesOnlyTheOwnersEntries() async throws {
        let path = Self.directory() + "/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let cache = ResponseCache(settings: DaemonConfig.Cache(), path: path, logger: Logger(label: "t"))
        let (a, b, c) = (try Self.key("a1"), try Self.key("b1"), try Self.key("a2"))
        cache.store(Self.answer("x"), key: a, owner: Self.owner)
        cache.store(Self.answer("y"), key: b, owner: CacheOwner(tenant: "bob", namespace: nil))
        cache.store(Self.answer("z"), key: c, owner: CacheOwner(tenant: "alice", namespace: "docs"))
        await cache.writePending()
        #expect(await cache.clear(tenant: "alice", namespace: "docs", everyTenant: false) == 1)
        #expect(await cache.lookup(c, maxTokens: 100, now: Self.now) == nil)
        #expect(await cache.clear(tenant: "alice", namespace: nil, everyTenant: false) == 1)
        #expect(await cache.lookup(b, maxTokens: 100, now: Self.now) != nil)
        #expect(await cache.clear(tenant: nil, namespace: nil, everyTenant: true) == 1)
        #expect(cache.stats(showError: true).diskEntries == 0)
    }

    @Test func theFileStaysWithinItsBoundOldestFirst() async throws {
        let path = Self.directory() + "/cache.sqlite"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let cache = ResponseCache(settings: DaemonConfig.Cache(), path: path, logger: Logger(label: "t"))
        var state = ResponseCache.State(
            memory: MemoryLRU(capacity: 1),
            stats: CacheStats(enabled: true),
            semantic: SemanticIndex(capacity: 1)
        )
        for (index, size) in [300, 300, 300].enumerated() {
            let entry = DiskEntry(
                key: "k\(index)",
                variant: 0,
                owner: Self.owner,
                createdAt: Double(index),
                expiresAt: 10,
                size: size
            )
            ResponseCache.index(entry, in: &state)
        }
        let doomed = ResponseCache.oldestBeyond(650, in: &state)
        #expect(doomed.map(\.key) == ["k0"] && state.diskBytes == 600)
        _ = cache
    }

    @Test func damagedRowsAreRefusedNotTrusted() throws {
        let compressed = try Deflate.compress(Array("hello hello hello".utf8))
        #expect(try Deflate.decompress(compressed, originalSize: 17) == Array("hello hello hello".utf8))
        #expect(throws: Deflate.Failure.self) { try Deflate.decompress(compressed, originalSize: 16) }
        #expect(throws: Deflate.Failure.self) { try Deflate.decompress([1, 2, 3], originalSize: 17) }
        #expect(throws: Deflate.Failure.self) { try Deflate.decompress(compressed, originalSize: -1) }
    }
}
