import Foundation
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkMCP

@Suite("supervision")
struct SupervisionTests {
    @Test("a server whose command does not exist fails without affecting the others")
    func missingCommand() async throws {
        let missing = MCPServerSettings(
            name: "gone",
            transport: .stdio(command: "no-such-mcp-server-xyz", arguments: ["--token", "hunter2"], environment: [:])
        )
        try await Harness.withManager([missing, TestServer.stdio("ok")]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            let gone = try #require(Harness.state(manager, "gone"))
            #expect(["failed", "restarting"].contains(gone.state))
            #expect(gone.lastError == "command not found or not executable: no-such-mcp-server-xyz")
            #expect(Harness.state(manager, "ok")?.state == "ready")
            #expect(
                try await manager.call("ok__echo", argumentsJSON: #"{"text":"fine"}"#, timeout: .seconds(10)) == "fine"
            )
            await #expect(throws: MCPCallError.serverUnavailable("gone")) {
                try await manager.call("gone__echo", argumentsJSON: "{}", timeout: .seconds(10))
            }
            #expect(await Harness.eventually { (Harness.state(manager, "gone")?.restarts ?? 0) >= 2 })
        }
    }

    @Test("invalid and duplicate names are reported as failed and never started")
    func invalidNames() async throws {
        let servers = [
            MCPServerSettings(name: "bad name", transport: .http(url: "http://127.0.0.1:1/mcp", headers: [:])),
            MCPServerSettings(
                name: String(repeating: "a", count: 33),
                transport: .http(url: "http://x/", headers: [:])
            ),
            TestServer.stdio("dup"),
            TestServer.stdio("dup"),
        ]
        try await Harness.withManager(servers) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            let states = manager.states
            #expect(states.map(\.state) == ["failed", "failed", "ready", "failed"])
            #expect(states[3].lastError == "duplicate server name")
            #expect(states[0].lastError?.hasPrefix("invalid server name") == true)
        }
    }

    @Test("an HTTP server that cannot be reached is retried with its error reported")
    func unreachableHTTP() async throws {
        let port = FreePort.loopback()
        try await Harness.withManager([TestServer.http("h", port: port)]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            let state = try #require(Harness.state(manager, "h"))
            #expect(["failed", "restarting"].contains(state.state))
            #expect(state.lastError == "HTTP request failed: cannot connect to host")
        }
    }

    @Test("cancelling run() stops and reaps every child")
    func cancellationKillsChildren() async throws {
        let manager = MCPManager(
            servers: [TestServer.stdio("a"), TestServer.stdio("b")],
            backoff: (.milliseconds(300), .seconds(1)),
            timing: Harness.timing,
            logger: Harness.quiet
        )
        let run = Task { await manager.run() }
        #expect(await manager.waitUntilReady(timeout: .seconds(30)))
        var pids: [Int32] = []
        for name in ["a", "b"] {
            let pid = try await manager.call("\(name)__pid", argumentsJSON: "{}", timeout: .seconds(10))
            pids.append(try #require(Int32(pid)))
        }
        #expect(pids.allSatisfy(Harness.processExists))
        run.cancel()
        await run.value
        for pid in pids {
            #expect(!Harness.processExists(pid))
            #expect(!FileManager.default.fileExists(atPath: "/proc/\(pid)"))
        }
        #expect(manager.states.map(\.state) == ["stopped", "stopped"])
        #expect(manager.tools.isEmpty)
    }

    @Test("a child that ignores SIGTERM is killed after the grace period")
    func sigkillAfterGrace() async throws {
        var timing = Harness.timing
        timing.terminationGrace = .milliseconds(500)
        let manager = MCPManager(
            servers: [TestServer.stdio("stubborn", ["--ignore-term"])],
            backoff: (.milliseconds(300), .seconds(1)),
            timing: timing,
            logger: Harness.quiet
        )
        let run = Task { await manager.run() }
        #expect(await manager.waitUntilReady(timeout: .seconds(30)))
        let pid = try #require(
            Int32(try await manager.call("stubborn__pid", argumentsJSON: "{}", timeout: .seconds(10)))
        )
        let start = ContinuousClock.now
        run.cancel()
        await run.value
        #expect(ContinuousClock.now - start >= .milliseconds(500))
        #expect(!Harness.processExists(pid))
    }
}
