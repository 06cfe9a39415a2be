import Foundation
import GRDB
import NeuroLinkMemory

/// A directory of its own under /tmp for one test's database, removed when the test ends.
struct TestDirectory {
    let path: String
    var database: String { path + "/memory/memory.sqlite" }

    init() {
        path = NSTemporaryDirectory() + "neurolink-memory-\(UUID().uuidString)"
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Rows of `memory_turns`, read through a second connection to check what is really stored.
    func storedTurnCount(tenant: String, session: String) throws -> Int {
        let queue = try DatabaseQueue(path: database)
        defer { try? queue.close() }
        return try queue.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM memory_turns WHERE tenant = ? AND session_id = ?",
                arguments: [tenant, session]
            ) ?? -1
        }
    }
}

/// Opens a store on a fresh file, runs `body`, then closes the store and removes the file.
func withStore(
    limits: MemoryLimits = MemoryLimits(),
    _ body: (MemoryStore, TestDirectory) async throws -> Void
) async throws {
    let directory = TestDirectory()
    defer { directory.remove() }
    let store = try MemoryStore(path: directory.database, limits: limits)
    defer { try? store.close() }
    try await body(store, directory)
}

/// A fixed clock: 2023-11-14, in milliseconds.
let t0: Int64 = 1_700_000_000_000
let minute: Int64 = 60_000
let hour: Int64 = 3_600_000

func user(_ content: String) -> MemoryMessage { MemoryMessage(role: "user", content: content) }
func assistant(_ content: String) -> MemoryMessage { MemoryMessage(role: "assistant", content: content) }

/// Turn `n`: the question `qn` and the answer `an`.
func turn(_ n: Int) -> [MemoryMessage] { [user("q\(n)"), assistant("a\(n)")] }
