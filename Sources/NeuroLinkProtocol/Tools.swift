/// Who runs a tool when the model calls it.
public enum ToolExecution: String, Sendable, Hashable, Codable {
    /// One of the daemon's own tools (`tools.list`), named by the request: the daemon runs it
    /// and continues the answer with its result.
    case daemon
    /// The client runs it: the daemon sends the `tool_call` chunk, waits for `tool.result` on the
    /// same connection and continues the answer with it.
    case client
}

/// A function the model may call, described by a JSON Schema for its arguments.
///
/// On the wire a daemon tool is its bare name (`"getCurrentTime"`); every other tool is an
/// object. A tool without ``execution`` ends the answer with `tool_calls` when the model calls it,
/// leaving the rest to the client.
public struct ToolDefinition: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments object; `nil` means no arguments.
    public var parameters: JSONValue?
    /// Who runs the tool; `nil` when nobody does (the answer ends with `tool_calls`).
    public var execution: ToolExecution?

    public init(
        name: String,
        description: String? = nil,
        parameters: JSONValue? = nil,
        execution: ToolExecution? = nil
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.execution = execution
    }

    /// A reference to one of the daemon's tools, by name.
    public static func daemon(_ name: String) -> ToolDefinition {
        ToolDefinition(name: name, execution: .daemon)
    }

    private enum CodingKeys: String, CodingKey { case name, description, parameters, execution }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self.init(name: name, execution: .daemon)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            description: try c.decodeIfPresent(String.self, forKey: .description),
            parameters: try c.decodeIfPresent(JSONValue.self, forKey: .parameters),
            execution: try c.decodeIfPresent(ToolExecution.self, forKey: .execution)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        if execution == .daemon {
            var single = encoder.singleValueContainer()
            try single.encode(name)
            return
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(parameters, forKey: .parameters)
        try c.encodeIfPresent(execution, forKey: .execution)
    }
}

/// A complete tool call made by the model.
public struct ToolCall: Sendable, Hashable, Codable {
    /// The provider's id of the call; tool results refer to it.
    public var id: String
    public var name: String
    /// The parsed arguments object.
    public var arguments: JSONValue

    public init(id: String, name: String, arguments: JSONValue) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// Whether and which tool the model must call: `"auto"`, `"none"`, `"required"` or `{"name": ...}`.
public enum ToolChoice: Sendable, Hashable, Codable {
    case auto, none, required
    case tool(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            switch text {
            case "auto": self = .auto
            case "none": self = .none
            case "required": self = .required
            default:
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown tool choice \(text)")
            }
        } else {
            self = .tool(try container.decode([String: String].self)["name"] ?? "")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .auto: try container.encode("auto")
        case .none: try container.encode("none")
        case .required: try container.encode("required")
        case .tool(let name): try container.encode(["name": name])
        }
    }

    /// Reads a tool choice from request JSON, naming the field on failure. With `anyTool` (the
    /// request offers every daemon tool) a named tool need not be among `tools`.
    init(json: JSONValue, tools: [ToolDefinition]?, anyTool: Bool = false) throws(RPCError) {
        switch json {
        case .string("auto"): self = .auto
        case .string("none"): self = .none
        case .string("required"): self = .required
        case .object(let object):
            guard let name = object["name"]?.stringValue, anyTool || tools?.contains(where: { $0.name == name }) == true
            else {
                throw RPCError(.invalidParams, "params.toolChoice.name must name one of params.tools")
            }
            self = .tool(name)
        default:
            throw RPCError(.invalidParams, #"params.toolChoice must be "auto", "none", "required" or {"name": ...}"#)
        }
    }
}

extension ToolDefinition {
    /// Whether `name` can name a tool for every provider: 1-64 letters, digits, `_` or `-`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }

    /// Reads `params.tools[index]`: a daemon tool's name, or a tool object.
    init(json: JSONValue, index: Int) throws(RPCError) {
        let path = "params.tools[\(index)]"
        if let name = json.stringValue {
            guard Self.isValidName(name) else {
                throw RPCError(.invalidParams, "\(path) must name a daemon tool (tools.list) or be a tool object")
            }
            self = .daemon(name)
            return
        }
        guard let object = json.objectValue, let name = object["name"]?.stringValue, Self.isValidName(name) else {
            throw RPCError(.invalidParams, "\(path).name must be 1-64 letters, digits, '_' or '-'")
        }
        if let description = object["description"], description != .null, description.stringValue == nil {
            throw RPCError(.invalidParams, "\(path).description must be a string")
        }
        if let parameters = object["parameters"], parameters != .null, parameters.objectValue == nil {
            throw RPCError(.invalidParams, "\(path).parameters must be a JSON Schema object")
        }
        var execution: ToolExecution?
        if let value = object["execution"], value != .null {
            guard value.stringValue == ToolExecution.client.rawValue else {
                throw RPCError(
                    .invalidParams,
                    #"\#(path).execution must be "client" (a daemon tool is named by a string)"#
                )
            }
            execution = .client
        }
        self.init(
            name: name,
            description: object["description"]?.stringValue,
            parameters: object["parameters"].flatMap { $0 == .null ? nil : $0 },
            execution: execution
        )
    }
}
