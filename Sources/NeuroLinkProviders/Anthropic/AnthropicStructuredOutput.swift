import NeuroLinkProtocol

/// How the Anthropic adapter asks for an answer that follows a response schema: the provider setting
/// `structured_output` (docs/configuration.md §4.2).
///
/// - `native`: Anthropic's JSON outputs, `output_config: {format: {type: "json_schema", schema}}`: the
///   model's decoding is constrained to the schema. Models without it answer HTTP 400.
/// - `instruction`: the schema in the system prompt, which every Claude model follows but none is held to.
/// - `auto` (default): `native` when the model is one Anthropic documents as supporting JSON outputs
///   (``nativeModels``) and the schema uses only what Anthropic documents as supported
///   (``AnthropicSchemaSupport``); `instruction` otherwise.
public enum AnthropicStructuredOutput: String, Sendable, Hashable, CaseIterable {
    case auto, native, instruction

    /// The endpoint option (and configuration key) that holds the mode.
    public static let optionKey = "structured_output"

    /// Models with structured outputs generally available on the Claude API, per Anthropic's
    /// "Structured outputs" page (as read in November 2026): Claude Opus 4.7, Opus 4.6, Sonnet 4.6, Sonnet 4.5,
    /// Opus 4.5 and Haiku 4.5. A model id matches an entry when it is the entry itself or the entry
    /// followed by `-` (a dated snapshot such as `claude-sonnet-4-5-20250929`) or `@` (Vertex-style
    /// `claude-sonnet-4-5@20250929`). Add a model here only once Anthropic documents it; until then
    /// `structured_output: native` opts a provider in.
    public static let nativeModels = [
        "claude-opus-4-7", "claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-5", "claude-opus-4-5",
        "claude-haiku-4-5",
    ]

    /// Whether `model` is one of ``nativeModels``.
    public static func isDocumentedNative(_ model: String) -> Bool {
        nativeModels.contains { entry in
            guard model.hasPrefix(entry) else { return false }
            let rest = model.dropFirst(entry.count)
            return rest.isEmpty || rest.hasPrefix("-") || rest.hasPrefix("@")
        }
    }

    /// Whether a request for `model` with `schema` is sent with `output_config.format`.
    public func usesNativeFormat(model: String, schema: JSONValue) -> Bool {
        switch self {
        case .native: true
        case .instruction: false
        case .auto: Self.isDocumentedNative(model) && AnthropicSchemaSupport.isSupported(schema)
        }
    }
}

/// The JSON Schema subset Anthropic documents for JSON outputs, checked conservatively: `auto` sends a
/// schema natively only when it stays inside it, never one the API documents as unsupported.
///
/// Allowed: `type` (a name or a list of names), `description`, `title`, `default`, `enum` of scalars,
/// `const`, `properties`, `required`, `additionalProperties: false` (required on every object, as
/// Anthropic asks), `items` (one schema), `minItems` 0 or 1, `anyOf`, `allOf`, and `format` among
/// `date-time`, `time`, `date`, `duration`, `email`, `hostname`, `uri`, `ipv4`, `ipv6`, `uuid`.
/// Anything else — numeric and string-length bounds, `pattern`, `$ref` (recursion is not supported),
/// other keywords — keeps the instruction.
public enum AnthropicSchemaSupport {
    static let keywords: Set<String> = [
        "type", "description", "title", "default", "enum", "const", "properties", "required",
        "additionalProperties", "items", "minItems", "anyOf", "allOf", "format",
    ]
    static let formats: Set<String> = [
        "date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid",
    ]

    /// Whether `schema` uses only the documented subset.
    public static func isSupported(_ schema: JSONValue) -> Bool {
        guard case .object(let members) = schema else { return false }
        for (keyword, value) in members {
            guard keywords.contains(keyword), isSupported(keyword, value) else { return false }
        }
        if isObjectSchema(members), members["additionalProperties"] != .bool(false) { return false }
        return true
    }

    private static func isSupported(_ keyword: String, _ value: JSONValue) -> Bool {
        switch keyword {
        case "properties":
            guard case .object(let properties) = value else { return false }
            return properties.values.allSatisfy(isSupported)
        case "items":
            return isSupported(value)
        case "anyOf", "allOf":
            guard case .array(let schemas) = value, !schemas.isEmpty else { return false }
            return schemas.allSatisfy(isSupported)
        case "additionalProperties":
            return value == .bool(false)
        case "minItems":
            return value == .number(0) || value == .number(1)
        case "enum":
            guard case .array(let cases) = value else { return false }
            return cases.allSatisfy(isScalar)
        case "format":
            return value.stringValue.map(formats.contains) ?? false
        default:
            return true
        }
    }

    private static func isObjectSchema(_ members: [String: JSONValue]) -> Bool {
        if members["properties"] != nil { return true }
        switch members["type"] {
        case .string("object")?: return true
        case .array(let types)?: return types.contains(.string("object"))
        default: return false
        }
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }
}
