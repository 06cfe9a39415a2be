import Foundation
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkMCP

@Suite("stdio servers")
struct StdioServerTests {
    @Test("lists the tools under namespaced names and forwards stderr")
    func listsNamespacedTools() async throws {
        let (logger, log) = RecordingLogHandler.logger()
        try await Harness.withManager([TestServer.stdio("t")], logger: logger) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            let names = manager.tools.map(\.name)
            #expect(
                names == [
                    "t__add", "t__crash", "t__echo", "t__env", "t__fail", "t__grow", "t__hangup", "t__image", "t__pid",
                    "t__slow",
                ]
            )
            let echo = try #require(manager.tools.first { $0.name == "t__echo" })
            #expect(echo.server == "t")
            #expect(echo.toolName == "echo")
            #expect(echo.description == "Returns text")
            #expect(echo.inputSchemaJSON.contains(#""required":["text"]"#))
            #expect(
                manager.states == [
                    MCPServerStatus(
                        name: "t",
                        transport: "stdio",
                        state: "ready",
                        tools: 10,
                        restarts: 0,
                        lastError: nil
                    )
                ]
            )
            #expect(
                await Harness.eventually { log.all.contains { $0.hasPrefix("[t] stderr: mcp-test-server starting") } }
            )
            #expect(log.all.contains { $0.contains("bad name!") && $0.contains("Skipping") })
            #expect(!log.all.contains { $0.contains("hunter2") })
        }
    }

    @Test("calls tools and renders their content")
    func callsTools() async throws {
        try await Harness.withManager([TestServer.stdio("t")]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            #expect(
                try await manager.call("t__echo", argumentsJSON: #"{"text":"hello"}"#, timeout: .seconds(10)) == "hello"
            )
            #expect(try await manager.call("t__add", argumentsJSON: #"{"a":2,"b":40}"#, timeout: .seconds(10)) == "42")
            #expect(
                try await manager.call("t__add", argumentsJSON: #"{"a":1.5,"b":1}"#, timeout: .seconds(10)) == "2.5"
            )
            #expect(
                try await manager.call("t__image", argumentsJSON: "{}", timeout: .seconds(10)) == "[image/png, 4 bytes]"
            )
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await manager.call(
                            "t__echo",
                            argumentsJSON: #"{"text":"\#(index)"}"#,
                            timeout: .seconds(20)
                        )
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(answers == Set((0..<20).map(String.init)))
        }
    }

    @Test("the child gets the configured environment over a minimal PATH, nothing else")
    func environment() async throws {
        try await Harness.withManager([TestServer.stdio("t")]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            func env(_ name: String) async throws -> String {
                try await manager.call("t__env", argumentsJSON: #"{"name":"\#(name)"}"#, timeout: .seconds(10))
            }
            #expect(try await env("TEST_SECRET") == "hunter2")
            #expect(try await env("PATH") == "/usr/local/bin:/usr/bin:/bin")
            #expect(try await env("HOME") == "<unset>")
        }
    }

    @Test("a server that closes its stdout without exiting is stopped and started again")
    func restartsAfterHangup() async throws {
        try await Harness.withManager([TestServer.stdio("t")]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            let pid = try #require(Int32(try await manager.call("t__pid", argumentsJSON: "{}", timeout: .seconds(10))))
            await #expect(throws: MCPCallError.serverUnavailable("t")) {
                try await manager.call("t__hangup", argumentsJSON: "{}", timeout: .seconds(10))
            }
            #expect(await Harness.eventually { Harness.state(manager, "t")?.state == "ready" })
            #expect(Harness.state(manager, "t")?.lastError == "server closed its output")
            #expect(!Harness.processExists(pid))
            #expect(try await manager.call("t__echo", argumentsJSON: #"{"text":"ok"}"#, timeout: .seconds(10)) == "ok")
        }
    }

    @Test("maps failures to MCPCallError")
    func mapsFailures() async throws {
        try await Harness.withManager([TestServer.stdio("t")]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            await #expect(throws: MCPCallError.toolError("boom")) {
                try await manager.call("t__fail", argumentsJSON: "{}", timeout: .seconds(10))
            }
            await #expect(throws: MCPCallError.unknownTool) {
                try await manager.call("t__nope", argumentsJSON: "{}", timeout: .seconds(10))
            }
            await #expect(throws: MCPCallError.unknownTool) {
                try await manager.call("other__echo", argumentsJSON: "{}", timeout: .seconds(10))
            }
            await #expect(throws: MCPCallError.protocolError("arguments must be a JSON object")) {
                try await manager.call("t__echo", argumentsJSON: "[1]", timeout: .seconds(10))
            }
            await #expect(throws: MCPCallError.protocolError("arguments are not valid JSON")) {
                try await manager.call("t__echo", argumentsJSON: "{", timeout: .seconds(10))
            }
        }
    }

    @Test("a call past its timeout fails with .timeout and the server keeps working")
    func timesOut() async throws {
        try await Harness.withManager([TestServer.stdio("t")]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            let start = ContinuousClock.now
            await #expect(throws: MCPCallError.timeout) {
                try await manager.call("t__slow", argumentsJSON: #"{"ms":20000}"#, timeout: .milliseconds(300))
            }
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(
                try await manager.call("t__echo", argumentsJSON: #"{"text":"still"}"#, timeout: .seconds(10)) == "still"
            )
        }
    }

    @Test("a crashed server is restarted and works again")
    func restartsAfterCrash() async throws {
        try await Harness.withManager([TestServer.stdio("t")], backoff: (.milliseconds(500), .seconds(2))) {
            manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            let firstPID = try await manager.call("t__pid", argumentsJSON: "{}", timeout: .seconds(10))
            await #expect(throws: MCPCallError.serverUnavailable("t")) {
                try await manager.call("t__crash", argumentsJSON: "{}", timeout: .seconds(10))
            }
            #expect(await Harness.eventually { Harness.state(manager, "t")?.state == "restarting" })
            #expect(Harness.state(manager, "t")?.lastError == "process exited with status 3")
            await #expect(throws: MCPCallError.serverUnavailable("t")) {
                try await manager.call("t__echo", argumentsJSON: #"{"text":"x"}"#, timeout: .seconds(10))
            }
            #expect(await Harness.eventually { Harness.state(manager, "t")?.state == "ready" })
            #expect((Harness.state(manager, "t")?.restarts ?? 0) >= 1)
            #expect(
                try await manager.call("t__echo", argumentsJSON: #"{"text":"back"}"#, timeout: .seconds(10)) == "back"
            )
            let secondPID = try await manager.call("t__pid", argumentsJSON: "{}", timeout: .seconds(10))
            #expect(firstPID != secondPID)
            #expect(!Harness.processExists(Int32(firstPID) ?? 0))
        }
    }

    @Test("tools/list_changed makes the new tool appear")
    func listChanged() async throws {
        try await Harness.withManager([TestServer.stdio("t")]) { manager throws in
            #expect(await manager.waitUntilReady(timeout: .seconds(30)))
            #expect(!manager.tools.contains { $0.name == "t__extra" })
            #expect(try await manager.call("t__grow", argumentsJSON: "{}", timeout: .seconds(10)) == "grown")
            #expect(await Harness.eventually { manager.tools.contains { $0.name == "t__extra" } })
            #expect(try await manager.call("t__extra", argumentsJSON: "{}", timeout: .seconds(10)) == "extra")
            #expect(Harness.state(manager, "t")?.tools == 11)
        }
    }
}
