import Foundation
import NeuroLinkProtocol
import NeuroLinkTools
import Testing

@testable import NeuroLinkCore

/// `tools:` and the catalog it makes.
@Suite struct ToolSettingsTests {
    static func parse(_ yaml: String) throws(ConfigError) -> DaemonConfig.Tools {
        try ConfigLoader(environment: [:]).parse("tools:\n" + yaml, file: "t.yaml").tools
    }

    @Test func defaultsOfferTimeAndMathButNoFiles() throws {
        let catalog = ToolCatalog(DaemonConfig.Tools())
        #expect(catalog.list.map(\.name) == ["calculateMath", "getCurrentTime"])
        #expect(catalog.list.allSatisfy { $0.source == "builtin" && $0.parameters?["type"] == .string("object") })
        #expect(ToolCatalog(try Self.parse("  builtin: false\n")).list.isEmpty)
    }

    /// Every built-in tool's schema is offered, read as Foundation's decoder reads it (the catalog
    /// parses them with the protocol's parser).
    @Test func everyBuiltInSchemaReadsAsJSONDecoderReadsIt() throws {
        let catalog = ToolCatalog(try Self.parse("  file_roots: [/srv/docs]\n"))
        let tools = BuiltInTools.all(fileRoots: ["/srv/docs"])
        #expect(catalog.list.count == tools.count && tools.count >= 3)
        for tool in tools {
            let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(tool.parametersSchema.utf8))
            #expect(catalog.list.first { $0.name == tool.name }?.parameters == decoded, "\(tool.name)")
        }
    }

    @Test func settingsParseAndMistakesAreNamed() throws {
        let tools = try Self.parse("  file_roots: [/srv/docs]\n  timeout_ms: 500\n  max_output_bytes: 1024\n")
        #expect(tools.fileRoots == ["/srv/docs"] && tools.timeoutMs == 500 && tools.maxOutputBytes == 1024)
        #expect(ToolCatalog(tools).list.map(\.name).contains("readFile"))
        let relative = #expect(throws: ConfigError.self) { try Self.parse("  file_roots: [docs]\n") }
        #expect(relative?.key == "tools.file_roots")
        let unknown = #expect(throws: ConfigError.self) { try Self.parse("  mcp: []\n") }
        #expect(unknown?.key == "tools.mcp")
    }

    @Test func loopSettingsAndMCPServersParse() throws {
        let tools = try Self.parse(
            """
              max_steps: 3
              client_timeout_ms: 250
              max_parallel_calls: 2
              mcp_servers:
                - name: files
                  command: /usr/bin/mcp-files
                  args: [--root, /srv]
                  env: {TOKEN: "env:FILES_TOKEN"}
                - name: web
                  url: https://mcp.example.com/mcp
                  headers: {Authorization: "env:WEB_TOKEN"}

            """
        )
        #expect(tools.maxSteps == 3 && tools.clientTimeoutMs == 250 && tools.maxParallelCalls == 2)
        #expect(
            tools.mcpServers == [
                DaemonConfig.MCPServer(
                    name: "files",
                    transport: .stdio(
                        command: "/usr/bin/mcp-files",
                        arguments: ["--root", "/srv"],
                        environment: ["TOKEN": "env:FILES_TOKEN"]
                    )
                ),
                DaemonConfig.MCPServer(
                    name: "web",
                    transport: .http(url: "https://mcp.example.com/mcp", headers: ["Authorization": "env:WEB_TOKEN"])
                ),
            ]
        )
        let mistakes = [
            ("  max_steps: 51\n", "tools.max_steps"),
            ("  mcp_servers:\n    - name: a.b\n      command: x\n", "tools.mcp_servers[0].name"),
            ("  mcp_servers:\n    - name: a\n      command: x\n      url: http://h/\n", "tools.mcp_servers[0]"),
            ("  mcp_servers:\n    - name: a\n      url: ftp://h/\n", "tools.mcp_servers[0].url"),
            (
                "  mcp_servers:\n    - name: a\n      command: x\n    - name: a\n      command: y\n",
                "tools.mcp_servers[1].name"
            ),
            ("  mcp_servers:\n    - command: x\n", "tools.mcp_servers[0].name"),
        ]
        for (yaml, key) in mistakes {
            let error = #expect(throws: ConfigError.self, "\(yaml)") { try Self.parse(yaml) }
            #expect(error?.key == key, "\(yaml): \(String(describing: error))")
        }
    }

    @Test func longOutputIsCutAtACharacterBoundaryAndSaysSo() async throws {
        let directory = "/tmp/nlt-tools-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try String(repeating: "é", count: 400).write(toFile: directory + "/long.txt", atomically: true, encoding: .utf8)
        var settings = DaemonConfig.Tools()
        settings.fileRoots = [directory]
        settings.maxOutputBytes = 257
        let catalog = ToolCatalog(settings)
        let result = try #require(
            await catalog.call(.init(name: "readFile", arguments: .object(["path": .string("long.txt")])))
        )
        let content = try #require(result.content)
        #expect(content.hasPrefix(String(repeating: "é", count: 128) + "\n[output cut at 257 bytes"), "\(content)")
        let short = try #require(
            await catalog.call(.init(name: "calculateMath", arguments: .object(["expression": .string("2^0.5")])))
        )
        #expect(short.content == "1.4142135623730951", "short output is untouched")
    }
}
