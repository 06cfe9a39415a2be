import Foundation
import MCP
import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkMCP

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why NeuroLinkMCP has its own Streamable HTTP client transport: on Linux the SDK's
/// `HTTPClientTransport` passes an SSE response body to the client undecoded, so `initialize`
/// against a server answering with `text/event-stream` (the SDK's own stateful server) never
/// completes. When this test starts failing, the SDK has fixed it.
@Suite("SDK canary")
struct SDKHTTPTransportCanaryTests {
    @Test("the SDK's HTTPClientTransport cannot initialize against an SSE-answering server on Linux")
    func sdkTransportFailsOnSSE() async throws {
        let server = HTTPServerProcess(port: FreePort.loopback())
        try server.start()
        defer { server.kill() }
        let endpoint = try #require(URL(string: "http://127.0.0.1:\(server.port)/mcp"))
        // The server is up once it answers at all.
        #expect(
            await Harness.eventually {
                var request = URLRequest(url: endpoint)
                request.httpMethod = "GET"
                return (try? await URLSession.shared.data(for: request)) != nil
            }
        )
        let client = Client(name: "canary", version: "1")
        let transport = HTTPClientTransport(endpoint: endpoint, streaming: false)
        let initialized = try? await TimeLimit.run(.seconds(3)) { try await client.connect(transport: transport) }
        await client.disconnect()
        #if os(Linux)
        #expect(initialized == nil)
        #else
        #expect(initialized != nil)
        #endif
    }
}
