import NeuroLinkMemory
import NeuroLinkProtocol
import Testing

/// Past its limits a session drops its oldest whole turns, and a tenant its least recent session.
@Suite struct MemoryLimitsTests {
    @Test func theMessageLimitDropsTheOldestWholeTurns() async throws {
        try await withStore(limits: MemoryLimits(maxMessagesPerSession: 3)) { store, _ in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0)
            try await store.append(tenant: "acme", session: "s1", messages: turn(2), ttlMs: hour, nowMs: t0 + 1)
            // Dropping one message would leave `a1` first: the whole first turn goes.
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0 + 1) == turn(2))
            let turns = try #require(try await store.turns(tenant: "acme", session: "s1", nowMs: t0 + 1))
            #expect(turns.map(\.seq) == [3, 4])
            #expect(try await store.sessions(tenant: "acme", nowMs: t0 + 1).map(\.messages) == [2])
        }
    }

    @Test func newMessagesOverTheLimitAreTrimmedInOneAppend() async throws {
        try await withStore(limits: MemoryLimits(maxMessagesPerSession: 5)) { store, directory in
            let stored = try await store.append(
                tenant: "acme",
                session: "s1",
                messages: turn(1) + turn(2) + turn(3),
                ttlMs: hour,
                nowMs: t0
            )
            #expect(stored == 4)
            let turns = try #require(try await store.turns(tenant: "acme", session: "s1", nowMs: t0))
            #expect(turns.map(\.seq) == [3, 4, 5, 6])
            #expect(turns.map(\.content) == ["q2", "a2", "q3", "a3"])
            #expect(try directory.storedTurnCount(tenant: "acme", session: "s1") == 4)
        }
    }

    @Test func theByteLimitDropsTheOldestWholeTurns() async throws {
        try await withStore(limits: MemoryLimits(maxSessionBytes: 10)) { store, _ in
            let first = [user("aaaa"), assistant("bb")]
            let second = [user("cc"), assistant("dddd")]
            try await store.append(tenant: "acme", session: "s1", messages: first, ttlMs: hour, nowMs: t0)
            #expect(try await store.sessions(tenant: "acme", nowMs: t0).map(\.bytes) == [6])
            try await store.append(tenant: "acme", session: "s1", messages: second, ttlMs: hour, nowMs: t0 + 1)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0 + 1) == second)
            let summary = try #require(try await store.sessions(tenant: "acme", nowMs: t0 + 1).first)
            #expect(summary.bytes == 6)
            #expect(summary.messages == 2)
        }
    }

    @Test func aTurnLargerThanTheLimitLeavesNothing() async throws {
        try await withStore(limits: MemoryLimits(maxSessionBytes: 10)) { store, directory in
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0)
            let huge = user(String(repeating: "x", count: 11))
            #expect(
                try await store.append(tenant: "acme", session: "s1", messages: [huge], ttlMs: hour, nowMs: t0) == 0
            )
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0) == [])
            #expect(try await store.sessions(tenant: nil, nowMs: t0) == [])
            #expect(try directory.storedTurnCount(tenant: "acme", session: "s1") == 0)
        }
    }

    @Test func theSessionCapEvictsTheLeastRecentlyUpdatedSession() async throws {
        try await withStore(limits: MemoryLimits(maxSessionsPerTenant: 2)) { store, directory in
            try await store.append(tenant: "globex", session: "g1", messages: turn(0), ttlMs: hour, nowMs: t0)
            try await store.append(tenant: "acme", session: "s1", messages: turn(1), ttlMs: hour, nowMs: t0 + 1)
            try await store.append(tenant: "acme", session: "s2", messages: turn(2), ttlMs: hour, nowMs: t0 + 2)
            try await store.append(tenant: "acme", session: "s1", messages: turn(3), ttlMs: hour, nowMs: t0 + 3)
            try await store.append(tenant: "acme", session: "s3", messages: turn(4), ttlMs: hour, nowMs: t0 + 4)

            #expect(try await store.sessions(tenant: "acme", nowMs: t0 + 5).map(\.sessionId) == ["s3", "s1"])
            #expect(try await store.history(tenant: "acme", session: "s2", nowMs: t0 + 5) == [])
            #expect(try directory.storedTurnCount(tenant: "acme", session: "s2") == 0)
            // The cap is per tenant: globex's older session stays.
            #expect(try await store.sessions(tenant: "globex", nowMs: t0 + 5).map(\.sessionId) == ["g1"])
        }
    }

    @Test func theSessionCapDropsExpiredSessionsFirst() async throws {
        try await withStore(limits: MemoryLimits(maxSessionsPerTenant: 2)) { store, _ in
            try await store.append(tenant: "acme", session: "old", messages: turn(1), ttlMs: 10 * hour, nowMs: t0)
            try await store.append(tenant: "acme", session: "brief", messages: turn(2), ttlMs: minute, nowMs: t0 + 1)
            try await store.append(
                tenant: "acme",
                session: "new",
                messages: turn(3),
                ttlMs: hour,
                nowMs: t0 + 2 * minute
            )
            let remaining = try await store.sessions(tenant: "acme", nowMs: t0).map(\.sessionId)
            #expect(remaining == ["new", "old"])
        }
    }

    @Test func limitsBelowOneAreRaisedToOne() {
        let limits = MemoryLimits(maxMessagesPerSession: 0, maxSessionBytes: -4, maxSessionsPerTenant: .min)
        #expect(limits.maxMessagesPerSession == 1)
        #expect(limits.maxSessionBytes == 1)
        #expect(limits.maxSessionsPerTenant == 1)
        #expect(MemoryLimits().maxSessionBytes == 1_048_576)
    }
}
