import Foundation
import NeuroLinkProtocol
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

    @Test func settingsParseAndMistakesAreNamed() throws {
        let tools = try Self.parse("  file_roots: [/srv/docs]\n  timeout_ms: 500\n  max_output_bytes: 1024\n")
        #expect(tools.fileRoots == ["/srv/docs"] && tools.timeoutMs == 500 && tools.maxOutputBytes == 1024)
        #expect(ToolCatalog(tools).list.map(\.name).contains("readFile"))
        let relative = #expect(throws: ConfigError.self) { try Self.parse("  file_roots: [docs]\n") }
        #expect(relative?.key == "tools.file_roots")
        let unknown = #expect(throws: ConfigError.self) { try Self.parse("  mcp: []\n") }
        #expect(unknown?.key == "tools.mcp")
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
