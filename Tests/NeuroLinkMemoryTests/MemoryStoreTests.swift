import Foundation
import NeuroLinkMemory
import NeuroLinkProtocol
import Testing

/// Appending and reading back, across a reopening too.
@Suite struct MemoryStoreTests {
    @Test func appendThenHistoryRoundTrips() async throws {
        try await withStore { store, _ in
            let messages = [user("hello"), assistant("hi there")]
            let stored = try await store.append(
                tenant: "acme",
                session: "s1",
                messages: messages,
                ttlMs: hour,
                nowMs: t0
            )
            #expect(stored == 2)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0 + 1) == messages)
            #expect(try await store.history(tenant: "acme", session: "other", nowMs: t0 + 1) == [])
        }
    }

    @Test func threeTurnsKeepTheirOrder() async throws {
        try await withStore { store, _ in
            for n in 1...3 {
                try await store.append(
                    tenant: "acme",
                    session: "s1",
                    messages: turn(n),
                    ttlMs: hour,
                    nowMs: t0 + Int64(n)
                )
            }
            let history = try await store.history(tenant: "acme", session: "s1", nowMs: t0 + 10)
            #expect(history == turn(1) + turn(2) + turn(3))
            let turns = try #require(try await store.turns(tenant: "acme", session: "s1", nowMs: t0 + 10))
            #expect(turns.map(\.seq) == [1, 2, 3, 4, 5, 6])
            #expect(turns.map(\.createdAtMs) == [t0 + 1, t0 + 1, t0 + 2, t0 + 2, t0 + 3, t0 + 3])
            let summary = try #require(try await store.sessions(tenant: "acme", nowMs: t0 + 10).first)
            #expect(summary.messages == 6)
            #expect(summary.bytes == 12)
            #expect(summary.createdAtMs == t0 + 1)
            #expect(summary.updatedAtMs == t0 + 3)
            #expect(summary.expiresAtMs == t0 + 3 + hour)
        }
    }

    @Test func historySurvivesReopening() async throws {
        let directory = TestDirectory()
        defer { directory.remove() }
        let first = try MemoryStore(path: directory.database)
        try await first.append(tenant: "acme", session: "s1", messages: turn(1) + turn(2), ttlMs: hour, nowMs: t0)
        try first.close()

        let second = try MemoryStore(path: directory.database)
        defer { try? second.close() }
        #expect(try await second.history(tenant: "acme", session: "s1", nowMs: t0 + minute) == turn(1) + turn(2))
        try await second.append(tenant: "acme", session: "s1", messages: turn(3), ttlMs: hour, nowMs: t0 + minute)
        let turns = try #require(try await second.turns(tenant: "acme", session: "s1", nowMs: t0 + minute))
        #expect(turns.map(\.seq) == [1, 2, 3, 4, 5, 6])
    }

    @Test func contentIsStoredVerbatim() async throws {
        try await withStore { store, _ in
            let content = "a\u{0}b 🦊\r\n'; DROP TABLE memory_turns; --"
            let session = "s'; DELETE FROM memory_sessions; --"
            try await store.append(tenant: "acme", session: session, messages: [user(content)], ttlMs: hour, nowMs: t0)
            #expect(try await store.history(tenant: "acme", session: session, nowMs: t0) == [user(content)])
            let summary = try #require(try await store.sessions(tenant: "acme", nowMs: t0).first)
            #expect(summary.sessionId == session)
            #expect(summary.bytes == content.utf8.count)
        }
    }

    @Test func otherRolesAreSkippedAndNothingToStoreIsANoOp() async throws {
        try await withStore { store, _ in
            let none = try await store.append(tenant: "acme", session: "s1", messages: [], ttlMs: hour, nowMs: t0)
            #expect(none == 0)
            let system = MemoryMessage(role: "system", content: "be brief")
            let tool = MemoryMessage(role: "tool", content: "42")
            let others = try await store.append(
                tenant: "acme",
                session: "s1",
                messages: [system, tool],
                ttlMs: hour,
                nowMs: t0
            )
            #expect(others == 0)
            #expect(try await store.sessions(tenant: nil, nowMs: t0) == [])
            let mixed = [system, user("q"), tool, assistant("a")]
            let stored = try await store.append(tenant: "acme", session: "s1", messages: mixed, ttlMs: hour, nowMs: t0)
            #expect(stored == 2)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0) == [user("q"), assistant("a")])
        }
    }

    @Test func aSessionNeverStartsWithAnAssistantMessage() async throws {
        try await withStore { store, _ in
            let stored = try await store.append(
                tenant: "acme",
                session: "s1",
                messages: [assistant("orphan"), user("q"), assistant("a")],
                ttlMs: hour,
                nowMs: t0
            )
            #expect(stored == 2)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0) == [user("q"), assistant("a")])
            // An answer appended on its own continues the last turn of an existing session.
            try await store.append(tenant: "acme", session: "s1", messages: [assistant("more")], ttlMs: hour, nowMs: t0)
            #expect(try await store.history(tenant: "acme", session: "s1", nowMs: t0).count == 3)
        }
    }

    @Test func theFileIsTheOwnersAlone() async throws {
        try await withStore { _, directory in
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.database)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
    }

    @Test func keysWithNULAreRefused() async throws {
        try await withStore { store, _ in
            await #expect(throws: MemoryError.self) {
                try await store.append(tenant: "acme", session: "s\u{0}1", messages: turn(1), ttlMs: hour, nowMs: t0)
            }
            await #expect(throws: MemoryError.self) {
                try await store.history(tenant: "ac\u{0}me", session: "s1", nowMs: t0)
            }
            let sessions = try await store.sessions(tenant: nil, nowMs: t0)
            #expect(sessions == [])
        }
    }
}
