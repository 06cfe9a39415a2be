/// One tool the daemon can run, as `tools.list` describes it.
public struct ToolInfo: Sendable, Hashable, Codable {
    public var name: String
    /// `builtin` (run by the daemon itself).
    public var source: String
    public var description: String
    /// JSON Schema of the arguments object.
    public var parameters: JSONValue?

    public init(name: String, source: String, description: String, parameters: JSONValue?) {
        self.name = name
        self.source = source
        self.description = description
        self.parameters = parameters
    }
}

/// Result of `tools.list`.
public struct ToolsListResult: Sendable, Hashable, Codable {
    public var tools: [ToolInfo]
    public init(tools: [ToolInfo]) { self.tools = tools }
}

/// Params of `tools.call`: run one tool directly, as a model's call would.
public struct ToolCallRequest: Sendable, Hashable, Codable {
    public var name: String
    /// The arguments object; `nil` for none.
    public var arguments: JSONValue?

    public init(name: String, arguments: JSONValue? = nil) {
        self.name = name
        self.arguments = arguments
    }

    /// Parses `{"name": string, "arguments"?: object}`.
    public init(json: JSONValue?) throws(RPCError) {
        guard let object = json?.objectValue else { throw RPCError(.invalidParams, "params must be an object") }
        for key in object.keys where key != "name" && key != "arguments" {
            throw RPCError(.invalidParams, "params.\(key) is not a known parameter")
        }
        guard let name = object["name"]?.stringValue, !name.isEmpty, name.utf8.count <= 128 else {
            throw RPCError(.invalidParams, "params.name must be a tool's name (tools.list)")
        }
        let arguments = object["arguments"].flatMap { $0 == .null ? nil : $0 }
        if let arguments, arguments.objectValue == nil {
            throw RPCError(.invalidParams, "params.arguments must be an object")
        }
        self.init(name: name, arguments: arguments)
    }
}

/// Result of `tools.call`: the tool's output, or the error it reported (a tool's failure is a
/// result, as the model would see it, not an RPC error).
public struct ToolCallResult: Sendable, Hashable, Codable {
    public var name: String
    public var content: String?
    public var error: String?
    public var durationMs: Double

    public init(name: String, content: String?, error: String?, durationMs: Double) {
        self.name = name
        self.content = content
        self.error = error
        self.durationMs = durationMs
    }
}

/// One MCP server of `tools.mcp_servers`, as `status.mcp` reports it. Never holds its environment,
/// headers or URL.
public struct MCPServerStatus: Sendable, Hashable, Codable {
    public var name: String
    /// `stdio` or `http`.
    public var transport: String
    /// `starting`, `ready`, `restarting`, `failed` or `stopped`.
    public var state: String
    /// Tools it offers now.
    public var tools: Int
    /// Times it was started again after it exited or its connection failed.
    public var restarts: Int
    /// Why it last failed, in a few words.
    public var lastError: String?

    public init(name: String, transport: String, state: String, tools: Int, restarts: Int, lastError: String?) {
        self.name = name
        self.transport = transport
        self.state = state
        self.tools = tools
        self.restarts = restarts
        self.lastError = lastError
    }
}
