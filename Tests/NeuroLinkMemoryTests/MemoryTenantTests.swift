import NeuroLinkMemory
import NeuroLinkProtocol
import Testing

/// Every query is scoped by tenant.
@Suite struct MemoryTenantTests {
    @Test func theSameSessionIdUnderTwoTenantsIsTwoSessions() async throws {
        try await withStore { store, directory in
            try await store.append(tenant: "acme", session: "s1", messages: [user("from acme")], ttlMs: hour, nowMs: t0)
            try await store.append(
                tenant: "globex",
                session: "s1",
                messages: [user("from globex"), assistant("ok")],
                ttlMs: hour,
                nowMs: t0 + 1
            )
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0 + 2) == [user("from acme")])
            #expect(
                try await store.history(tenant: "globex", session: "s1", nowMs: t0 + 2) == [
                    user("from globex"), assistant("ok"),
                ]
            )
            #expect(try await store.history(tenant: "initech", session: "s1", nowMs: t0 + 2) == [])

            let acme = try await store.sessions(tenant: "acme", nowMs: t0 + 2)
            #expect(acme.map(\.tenant) == ["acme"])
            #expect(acme.map(\.messages) == [1])
            let all = try await store.sessions(tenant: nil, nowMs: t0 + 2)
            #expect(all.map(\.tenant) == ["globex", "acme"])

            #expect(try await store.clear(tenant: "acme", session: "s1"))
            #expect(try await store.history(tenant: "globex", session: "s1", nowMs: t0 + 2).count == 2)
            #expect(try directory.storedTurnCount(tenant: "globex", session: "s1") == 2)
            #expect(try directory.storedTurnCount(tenant: "acme", session: "s1") == 0)
        }
    }

    @Test func sessionsHonoursItsLimit() async throws {
        try await withStore { store, _ in
            for n in 1...3 {
                try await store.append(
                    tenant: "acme",
                    session: "s\(n)",
                    messages: turn(n),
                    ttlMs: hour,
                    nowMs: t0 + Int64(n)
                )
            }
            let newest = try await store.sessions(tenant: "acme", nowMs: t0 + 10, limit: 2)
            #expect(newest.map(\.sessionId) == ["s3", "s2"])
            #expect(try await store.sessions(tenant: "acme", nowMs: t0 + 10, limit: -1) == [])
        }
    }
}
