import Foundation
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkMCP

@Suite("HTTP servers")
struct HTTPServerTests {
    @Test("lists, calls, follows list_changed and recovers after the server is killed and started again")
    func recoversAfterRestart() async throws {
        let server = HTTPServerProcess(port: FreePort.loopback())
        try server.start()
        defer { server.kill() }
        try await Harness.withManager([TestServer.http("h", port: server.port)]) { manager throws in
            #expect(await Harness.eventually { Harness.state(manager, "h")?.state == "ready" })
            #expect(manager.tools.map(\.name).contains("h__echo"))
            #expect(Harness.state(manager, "h")?.transport == "http")
            #expect(
                try await manager.call("h__echo", argumentsJSON: #"{"text":"over http"}"#, timeout: .seconds(10))
                    == "over http"
            )
            await #expect(throws: MCPCallError.toolError("boom")) {
                try await manager.call("h__fail", argumentsJSON: "{}", timeout: .seconds(10))
            }

            // Notifications come over the GET event stream, which opens right after initialize.
            #expect(
                await Harness.eventually {
                    _ = try? await manager.call("h__grow", argumentsJSON: "{}", timeout: .seconds(10))
                    return await Harness.eventually(within: .seconds(1)) {
                        manager.tools.contains { $0.name == "h__extra" }
                    }
                }
            )

            server.kill()
            #expect(await Harness.eventually { Harness.state(manager, "h")?.state != "ready" })
            let lastError = try #require(Harness.state(manager, "h")?.lastError)
            #expect(!lastError.contains("hunter2"))
            try server.start()
            #expect(
                await Harness.eventually {
                    (try? await manager.call("h__echo", argumentsJSON: #"{"text":"again"}"#, timeout: .seconds(5)))
                        == "again"
                }
            )
            #expect((Harness.state(manager, "h")?.restarts ?? 0) >= 1)
        }
    }
}
