import NeuroLinkMemory
import Testing

/// Clearing a session deletes it and its turns, and only it.
@Suite struct MemoryClearTests {
    @Test func clearDeletesOneSession() async throws {
        try await withStore { store, directory in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0)
            try await store.append(tenant: "acme", session: "s2", messages: turn(2), ttlMs: hour, nowMs: t0)

            #expect(try await store.clear(tenant: "acme", session: "s1"))
            #expect(try await store.clear(tenant: "acme", session: "s1") == false)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0) == [])
            #expect(try directory.storedTurnCount(tenant: "acme", session: "s1") == 0)
            #expect(try await store.history(tenant: "acme", session: "s2", nowMs: t0) == turn(2))
            #expect(try await store.clear(tenant: "globex", session: "s2") == false)
        }
    }

    @Test func aClearedSessionStartsAnew() async throws {
        try await withStore { store, _ in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0)
            try await store.clear(tenant: "acme", session: "s1")
            try await store.append(tenant: "acme", session: "s1", messages: turn(2), ttlMs: hour, nowMs: t0 + 1)
            let turns = try #require(try await store.turns(tenant: "acme", session: "s1", nowMs: t0 + 1))
            #expect(turns.map(\.seq) == [1, 2])
            #expect(turns.map(\.content) == ["q2", "a2"])
        }
    }
}
