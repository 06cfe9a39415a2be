import Foundation
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// The built-in tools through the real daemon: `tools.list`, `tools.call` and `nlctl tools`, the
/// file tools confined to `tools.file_roots` (symlinks included), and a policy that turns tools off.
@Suite struct ToolsTests {
    @Test func builtInToolsAreListedAndRunAndFilesStayInsideTheirRoots() async throws {
        let base = try DaemonProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let root = base.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try "meeting at noon\n".write(to: root.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try "top secret\n".write(to: base.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("escape.txt").path,
            withDestinationPath: base.appendingPathComponent("secret.txt").path
        )
        let config = loopConfig("http://127.0.0.1:9/v1", extra: "tools:\n  file_roots: [\(root.path)]\n")
        try await DaemonProcess.withClient(config: config) { daemon, client in
            let names = try await client.toolsList().map(\.name)
            #expect(names == ["calculateMath", "getCurrentTime", "listDirectory", "readFile"], "\(names)")
            let math = try await client.toolsCall(
                ToolCallRequest(name: "calculateMath", arguments: .object(["expression": .string("2*(3+4)")]))
            )
            #expect(math.content == "14" && math.error == nil, "\(math)")
            let notes = try await client.toolsCall(
                ToolCallRequest(name: "readFile", arguments: .object(["path": .string("notes.txt")]))
            )
            #expect(notes.content?.contains("meeting at noon") == true, "\(notes)")
            for path in ["escape.txt", "../secret.txt", base.appendingPathComponent("secret.txt").path] {
                let refused = try await client.toolsCall(
                    ToolCallRequest(name: "readFile", arguments: .object(["path": .string(path)]))
                )
                #expect(refused.content == nil && refused.error != nil, "\(path): \(refused)")
                #expect(refused.error?.contains("top secret") != true)
            }
            let unknown = await #expect(throws: RPCError.self) {
                try await client.toolsCall(ToolCallRequest(name: "launchMissiles"))
            }
            #expect(unknown?.type == .invalidParams)

            let nlctl = DaemonProcess.binary("nlctl")
            let listed = try await runTool(nlctl, ["tools", "list", "--socket", daemon.socketPath])
            #expect(listed.status == 0 && listed.stdout.contains("calculateMath"), "\(listed.stdout)")
            let failed = try await runTool(
                nlctl,
                ["tools", "call", "--socket", daemon.socketPath, "calculateMath", #"{"expression": "1/0"}"#]
            )
            #expect(failed.status == 1 && failed.stderr.contains("calculateMath failed"), "\(failed.stderr)")
        }
    }

    @Test func aPolicyWithoutToolsIsRefused() async throws {
        let config = loopConfig(
            "http://127.0.0.1:9/v1",
            extra: "security:\n  policies:\n    - name: no-tools\n      features: {tools: false}\n"
        )
        try await DaemonProcess.withClient(config: config) { _, client in
            let error = await #expect(throws: RPCError.self) { try await client.toolsList() }
            #expect(error?.type == .forbidden && error?.data.rule == "no-tools")
        }
    }

    @Test func aPolicysToolListsLimitWhatIsListedCalledAndOffered() async throws {
        let config = loopConfig(
            "http://127.0.0.1:9/v1",
            extra: "security:\n  policies:\n    - name: math-only\n      tools: {deny: [getCurrentTime]}\n"
        )
        try await DaemonProcess.withClient(config: config) { _, client in
            let listed = try await client.toolsList().map(\.name)
            #expect(listed == ["calculateMath"])
            let call = await #expect(throws: RPCError.self) {
                try await client.toolsCall(ToolCallRequest(name: "getCurrentTime"))
            }
            #expect(call?.type == .forbidden && call?.data.rule == "math-only")
            let named = await #expect(throws: RPCError.self) {
                try await client.generate(StreamRequest(prompt: "time?", tools: [.daemon("getCurrentTime")]))
            }
            #expect(named?.type == .forbidden, "\(String(describing: named))")
        }
    }
}
