import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// MCP servers as tool sources of the real daemon: the test server (built with the MCP Swift SDK)
/// over stdio and Streamable HTTP; its tools listed namespaced, called directly and by the tool
/// loop, a crash restarted, a server that cannot start reported in `status` and nothing else hurt.
@Suite struct MCPToolsTests {
    static let server = DaemonProcess.binary("mcp-test-server")

    static func config(_ upstream: LoopbackUpstream, servers: String) -> String {
        ProviderConformanceTests.config(OpenAIRenderer(), upstream: upstream) + "tools:\n  mcp_servers:\n" + servers
    }

    static func ready(_ client: NeuroLinkClient, _ name: String, restarts: Int = 0) async throws {
        try await waitUntil(timeout: .seconds(20)) {
            let server = try await client.status().mcp?.first { $0.name == name }
            return server?.state == "ready" && (server?.restarts ?? 0) >= restarts
        }
    }

    @Test func aStdioServersToolsAreListedCalledRunByTheLoopAndSurviveACrash() async throws {
        try await LoopbackUpstream.with { upstream in
            let renderer = OpenAIRenderer()
            let call = WireScript.ToolCallScript(
                id: "call_m",
                name: "local__echo",
                fragments: [#"{"text":"from mcp"}"#]
            )
            upstream.register(
                model: "m",
                sequence: [
                    .raw(
                        pieces: [
                            renderer.renderBytes(
                                WireScript(pieces: [], toolCall: call, finish: "tool_calls"),
                                model: "m"
                            )
                        ],
                        delay: .zero
                    ),
                    .raw(
                        pieces: [renderer.renderBytes(WireScript(pieces: ["Echoed."], finish: "stop"), model: "m")],
                        delay: .zero
                    ),
                ]
            )
            let servers = "    - name: local\n      command: \(Self.server)\n      args: [stdio]\n"
            try await DaemonProcess.withClient(config: Self.config(upstream, servers: servers)) { _, client in
                try await Self.ready(client, "local")
                let tools = try await client.toolsList()
                let echo = try #require(tools.first { $0.name == "local__echo" }, "\(tools.map(\.name))")
                #expect(echo.source == "mcp:local" && echo.parameters?["type"]?.stringValue == "object")
                let sum = try await client.toolsCall(
                    ToolCallRequest(name: "local__add", arguments: .object(["a": .number(2), "b": .number(3)]))
                )
                #expect(sum.content == "5", "\(sum)")
                let failed = try await client.toolsCall(ToolCallRequest(name: "local__fail"))
                #expect(failed.content == nil && failed.error == "boom", "\(failed)")

                let result = try await client.generate(
                    StreamRequest(prompt: "Echo it", tools: [.daemon("local__echo")])
                )
                #expect(result.text == "Echoed." && result.steps?.first?.toolResults.first?.content == "from mcp")
                let last = upstream.requests().filter { $0.method == "POST" }.last.map {
                    String(decoding: $0.body, as: UTF8.self)
                }
                #expect(last?.contains("from mcp") == true)

                let crashed = try await client.toolsCall(ToolCallRequest(name: "local__crash"))
                #expect(crashed.content == nil && crashed.error != nil, "\(crashed)")
                try await Self.ready(client, "local", restarts: 1)
                let again = try await client.toolsCall(
                    ToolCallRequest(name: "local__echo", arguments: .object(["text": .string("back")]))
                )
                #expect(again.content == "back", "\(again)")
            }
        }
    }

    @Test func anHTTPServerAndAServerThatCannotStart() async throws {
        try await LoopbackUpstream.with { upstream in
            let port = FreePort.loopback()
            let http = Process()
            http.executableURL = URL(fileURLWithPath: Self.server)
            http.arguments = ["http", "\(port)"]
            http.standardOutput = FileHandle.nullDevice
            http.standardError = FileHandle.nullDevice
            try http.run()
            defer {
                kill(http.processIdentifier, SIGKILL)
                http.waitUntilExit()
            }
            let servers = """
                    - name: remote
                      url: http://127.0.0.1:\(port)/mcp
                    - name: broken
                      command: /nonexistent/mcp-server
                      env: {API_TOKEN: s3cret-token-value}
                    - name: local
                      command: \(Self.server)
                      args: [stdio]

                """
            try await DaemonProcess.withClient(config: Self.config(upstream, servers: servers)) { _, client in
                try await Self.ready(client, "remote")
                try await Self.ready(client, "local")
                let sum = try await client.toolsCall(
                    ToolCallRequest(name: "remote__add", arguments: .object(["a": .number(40), "b": .number(2)]))
                )
                #expect(sum.content == "42", "\(sum)")
                let broken = try #require(try await client.status().mcp?.first { $0.name == "broken" })
                #expect(broken.state != "ready" && broken.lastError != nil, "\(broken)")
                #expect(broken.lastError?.contains("s3cret") != true, "no secrets: \(broken)")
                let text = String(decoding: try JSONEncoder().encode(try await client.status()), as: UTF8.self)
                #expect(!text.contains("s3cret"), "status never shows a server's environment")
                let answer = try await client.generate(StreamRequest(prompt: "still fine"))
                #expect(!answer.text.isEmpty)
            }
        }
    }
}
