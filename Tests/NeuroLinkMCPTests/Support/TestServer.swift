import Foundation
import NeuroLinkMCP

/// The `mcp-test-server` binary, built next to the test bundle by `swift build --build-tests`.
enum TestServer {
    static let path: String = {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("mcp-test-server").path,
            packageDirectory.appendingPathComponent(".build/debug/mcp-test-server").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// Settings of a stdio server named `name` running the test server.
    static func stdio(_ name: String, _ options: [String] = []) -> MCPServerSettings {
        MCPServerSettings(
            name: name,
            transport: .stdio(command: path, arguments: ["stdio"] + options, environment: ["TEST_SECRET": "hunter2"])
        )
    }

    /// Settings of an HTTP server named `name` on `port`.
    static func http(_ name: String, port: Int) -> MCPServerSettings {
        MCPServerSettings(
            name: name,
            transport: .http(url: "http://127.0.0.1:\(port)/mcp", headers: ["Authorization": "Bearer hunter2"])
        )
    }
}
