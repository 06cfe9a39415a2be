import Foundation
import MCP
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tools of the test server and the `Server` that offers them.
enum TestTools {
    /// Whether `grow` was called: it adds the tool `extra`.
    private static let grown = Mutex(false)

    private static let objectSchema: Value = ["type": "object"]

    static var tools: [Tool] {
        var tools = [
            Tool(
                name: "echo",
                description: "Returns text",
                inputSchema: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]
            ),
            Tool(
                name: "add",
                description: "Adds a and b",
                inputSchema: ["type": "object", "properties": ["a": ["type": "number"], "b": ["type": "number"]]]
            ),
            Tool(name: "fail", description: "Always fails", inputSchema: objectSchema),
            Tool(name: "crash", description: "Exits with status 3", inputSchema: objectSchema),
            Tool(name: "slow", description: "Sleeps ms milliseconds", inputSchema: objectSchema),
            Tool(name: "grow", description: "Adds the tool extra", inputSchema: objectSchema),
            Tool(name: "pid", description: "The server's process id", inputSchema: objectSchema),
            Tool(name: "image", description: "A 4-byte PNG-typed image", inputSchema: objectSchema),
            Tool(name: "env", description: "The value of environment variable name", inputSchema: objectSchema),
            Tool(name: "hangup", description: "Closes stdout and keeps running", inputSchema: objectSchema),
            Tool(name: "bad name!", description: "Not a valid function name", inputSchema: objectSchema),
        ]
        if grown.withLock({ $0 }) {
            tools.append(Tool(name: "extra", description: "Added by grow", inputSchema: objectSchema))
        }
        return tools
    }

    static func makeServer() async -> Server {
        let server = Server(
            name: "mcp-test-server",
            version: "1.0",
            capabilities: .init(tools: .init(listChanged: true))
        )
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { [weak server] parameters in
            try await call(parameters, server: server)
        }
        return server
    }

    private static func call(_ parameters: CallTool.Parameters, server: Server?) async throws -> CallTool.Result {
        let arguments = parameters.arguments ?? [:]
        switch parameters.name {
        case "echo": return text(arguments["text"]?.stringValue ?? "")
        case "add": return text(sum(arguments["a"], arguments["b"]))
        case "fail": return CallTool.Result(content: [.text(text: "boom", annotations: nil, _meta: nil)], isError: true)
        case "crash": exit(3)
        case "slow":
            try await Task.sleep(for: .milliseconds(arguments["ms"]?.intValue ?? 1000))
            return text("done")
        case "grow":
            grown.withLock { $0 = true }
            try await server?.notify(ToolListChangedNotification.message())
            return text("grown")
        case "extra" where grown.withLock({ $0 }): return text("extra")
        case "pid": return text("\(getpid())")
        case "env": return text(ProcessInfo.processInfo.environment[arguments["name"]?.stringValue ?? ""] ?? "<unset>")
        case "hangup":
            close(1)
            while true { try? await Task.sleep(for: .seconds(3600)) }
        case "image":
            return CallTool.Result(content: [
                .image(data: "iVBORw==", mimeType: "image/png", annotations: nil, _meta: nil)
            ])
        default: throw MCPError.invalidParams("unknown tool \(parameters.name)")
        }
    }

    private static func text(_ text: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)])
    }

    private static func sum(_ a: Value?, _ b: Value?) -> String {
        let total = number(a) + number(b)
        return total == total.rounded() && abs(total) < 1e15 ? String(Int(total)) : String(total)
    }

    private static func number(_ value: Value?) -> Double {
        if let integer = value?.intValue { return Double(integer) }
        return value?.doubleValue ?? 0
    }
}
