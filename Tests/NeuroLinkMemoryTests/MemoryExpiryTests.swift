import NeuroLinkMemory
import NeuroLinkProtocol
import Testing

/// Sessions expire after their TTL, read as absent, and are purged.
@Suite struct MemoryExpiryTests {
    @Test func anExpiredSessionReadsAsAbsent() async throws {
        try await withStore { store, _ in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0 + hour - 1) == turn(1))
            #expect(try await store.sessions(tenant: "acme", nowMs: t0 + hour - 1).count == 1)

            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0 + hour) == [])
            #expect(try await store.turns(tenant: "acme", session: "s1", nowMs: t0 + hour) == nil)
            #expect(try await store.sessions(tenant: "acme", nowMs: t0 + hour) == [])
            #expect(try await store.sessions(tenant: nil, nowMs: t0 + hour) == [])
        }
    }

    @Test func purgeExpiredDeletesExpiredSessionsAndTheirTurns() async throws {
        try await withStore { store, directory in
            try await store.append(tenant: "acme", session: "short", messages: turn(1), ttlMs: hour, nowMs: t0)
            try await store.append(tenant: "globex", session: "short", messages: turn(2), ttlMs: hour, nowMs: t0)
            try await store.append(tenant: "acme", session: "long", messages: turn(3), ttlMs: 2 * hour, nowMs: t0)

            #expect(try await store.purgeExpired(nowMs: t0 + hour - 1) == 0)
            #expect(try await store.purgeExpired(nowMs: t0 + hour) == 2)
            #expect(try directory.storedTurnCount(tenant: "acme", session: "short") == 0)
            #expect(try directory.storedTurnCount(tenant: "globex", session: "short") == 0)
            #expect(try directory.storedTurnCount(tenant: "acme", session: "long") == 2)
            // Read at a time before the expiry: the purged sessions are gone, not just hidden.
            #expect(try await store.sessions(tenant: nil, nowMs: t0).map(\.sessionId) == ["long"])
            #expect(try await store.purgeExpired(nowMs: t0 + hour) == 0)
        }
    }

    @Test func appendingToAnExpiredSessionStartsItAnew() async throws {
        try await withStore { store, _ in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0)
            try await store.append(tenant: "acme", session: "s1", messages: turn(2), ttlMs: hour, nowMs: t0 + hour)
            let turns = try #require(try await store.turns(tenant: "acme", session: "s1", nowMs: t0 + hour))
            #expect(turns.map(\.seq) == [1, 2])
            #expect(turns.map(\.content) == ["q2", "a2"])
            let summary = try #require(try await store.sessions(tenant: "acme", nowMs: t0 + hour).first)
            #expect(summary.createdAtMs == t0 + hour)
            #expect(summary.messages == 2)
        }
    }

    @Test func appendingRefreshesTheExpiry() async throws {
        try await withStore { store, _ in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0)
            try await store.append(
                tenant: "acme",
                session: "s1",
                messages: turn(2),
                ttlMs: hour,
                nowMs: t0 + 30 * minute
            )
            let summary = try #require(try await store.sessions(tenant: "acme", nowMs: t0 + hour).first)
            #expect(summary.expiresAtMs == t0 + 90 * minute)
            #expect(summary.updatedAtMs == t0 + 30 * minute)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0 + hour) == turn(1) + turn(2))
        }
    }

    @Test func nowPlusTTLSaturates() async throws {
        try await withStore { store, _ in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: .max, nowMs: t0)
            try await store.append(tenant: "acme", session: "s2", messages: turn(2), ttlMs: .max, nowMs: .max - 1)
            let sessions = try await store.sessions(tenant: "acme", nowMs: .max - 1)
            #expect(sessions.map(\.sessionId) == ["s2", "s1"])
            #expect(sessions.map(\.expiresAtMs) == [.max, .max])
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: .max - 1) == turn(1))
        }
    }

    @Test func aNegativeTTLExpiresAtOnce() async throws {
        try await withStore { store, _ in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: -5, nowMs: t0)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0) == [])
            #expect(try await store.sessions(tenant: "acme", nowMs: t0 - 1).map(\.expiresAtMs) == [t0])
            try await store.append(tenant: "acme", session: "s2", messages: turn(2), ttlMs: .min, nowMs: .min)
            #expect(try await store.purgeExpired(nowMs: t0) == 2)
        }
    }
}
