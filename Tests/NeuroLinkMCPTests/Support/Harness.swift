import Foundation
import Logging
import NeuroLinkProtocol

@testable import NeuroLinkMCP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs managers for tests and waits for conditions with deadlines instead of fixed sleeps.
enum Harness {
    static let timing = SupervisionTiming(
        handshake: .seconds(20),
        listing: .seconds(20),
        pingInterval: .seconds(2),
        pingTimeout: .seconds(5),
        terminationGrace: .seconds(2),
        stable: .seconds(60)
    )

    static let quiet = Logger(label: "mcp-test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs a manager for `servers` during `body`, then cancels `run()` and waits for it to end.
    static func withManager(
        _ servers: [MCPServerSettings],
        timing: SupervisionTiming = timing,
        backoff: (initial: Duration, max: Duration) = (.milliseconds(300), .seconds(1)),
        logger: Logger = quiet,
        _ body: (MCPManager) async throws -> Void
    ) async throws {
        let manager = MCPManager(servers: servers, backoff: backoff, timing: timing, logger: logger)
        let run = Task { await manager.run() }
        do {
            try await body(manager)
        } catch {
            run.cancel()
            await run.value
            throw error
        }
        run.cancel()
        await run.value
    }

    /// Whether `condition` became true within `timeout`, checked every 10 ms.
    static func eventually(within timeout: Duration = .seconds(30), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    /// The state of server `name`.
    static func state(_ manager: MCPManager, _ name: String) -> MCPServerStatus? {
        manager.states.first { $0.name == name }
    }

    /// Whether a process with `pid` exists at all (a zombie counts: it was not reaped).
    static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }
}
