/// A function the model may call, described by a JSON Schema for its arguments.
public struct ToolDefinition: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments object; `nil` means no arguments.
    public var parameters: JSONValue?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
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

    /// Reads a tool choice from request JSON, naming the field on failure.
    init(json: JSONValue, tools: [ToolDefinition]?) throws(RPCError) {
        switch json {
        case .string("auto"): self = .auto
        case .string("none"): self = .none
        case .string("required"): self = .required
        case .object(let object):
            guard let name = object["name"]?.stringValue, tools?.contains(where: { $0.name == name }) == true else {
                throw RPCError(.invalidParams, "params.toolChoice.name must name one of params.tools")
            }
            self = .tool(name)
        default:
            throw RPCError(.invalidParams, #"params.toolChoice must be "auto", "none", "required" or {"name": ...}"#)
        }
    }
}

extension ToolDefinition {
    /// Reads `params.tools[index]`.
    init(json: JSONValue, index: Int) throws(RPCError) {
        guard let object = json.objectValue, let name = object["name"]?.stringValue,
            !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), name.count <= 64
        else {
            throw RPCError(.invalidParams, "params.tools[\(index)].name must be 1-64 letters, digits, '_' or '-'")
        }
        if let description = object["description"], description != .null, description.stringValue == nil {
            throw RPCError(.invalidParams, "params.tools[\(index)].description must be a string")
        }
        if let parameters = object["parameters"], parameters != .null, parameters.objectValue == nil {
            throw RPCError(.invalidParams, "params.tools[\(index)].parameters must be a JSON Schema object")
        }
        self.init(
            name: name,
            description: object["description"]?.stringValue,
            parameters: object["parameters"].flatMap { $0 == .null ? nil : $0 }
        )
    }
}
