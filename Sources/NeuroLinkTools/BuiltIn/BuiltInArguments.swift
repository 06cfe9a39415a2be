import Foundation

/// One argument value as the model sent it. Arrays and objects are kept as `compound`: no
/// built-in tool takes one, so their contents are never needed.
enum BuiltInArgument: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case compound

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .compound
        }
    }
}

/// The arguments object of one call, checked against the names the tool accepts.
struct BuiltInArguments: Sendable {
    private let values: [String: BuiltInArgument]

    /// Parses `json` as an object whose keys are all in `accepted`. Empty text counts as `{}`:
    /// some models send nothing for a tool whose arguments are all optional.
    init(json: String, accepted: Set<String>) throws(ToolError) {
        let trimmed = json.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            values = [:]
            return
        }
        guard let parsed = try? JSONDecoder().decode([String: BuiltInArgument].self, from: Data(trimmed.utf8)) else {
            throw ToolError("The arguments must be a JSON object.")
        }
        if let unknown = parsed.keys.filter({ !accepted.contains($0) }).sorted().first {
            let names = accepted.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw ToolError("Unknown argument '\(BuiltInText.clipped(unknown))'; the arguments are \(names).")
        }
        values = parsed
    }

    /// The string argument `name`, or nil when it is missing or null.
    func string(_ name: String) throws(ToolError) -> String? {
        switch values[name] {
        case nil, .null: return nil
        case .string(let value): return value
        default: throw ToolError("The argument '\(name)' must be a string.")
        }
    }

    /// The string argument `name`; missing or null is an error.
    func requiredString(_ name: String) throws(ToolError) -> String {
        guard let value = try string(name) else { throw ToolError("The argument '\(name)' is required.") }
        return value
    }

    /// The integer argument `name` within `range`, or nil when it is missing or null. JSON has one
    /// number type, so `3.0` is accepted and `3.5` is not.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(ToolError) -> Int? {
        switch values[name] {
        case nil, .null:
            return nil
        case .number(let value)
        where value.rounded() == value && value >= Double(range.lowerBound) && value <= Double(range.upperBound):
            return Int(value)
        default:
            throw ToolError(
                "The argument '\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)."
            )
        }
    }
}

/// Text helpers for tool results and error messages.
enum BuiltInText {
    /// `text` cut to `limit` characters with an ellipsis, so an error never echoes a huge argument.
    static func clipped(_ text: String, limit: Int = 200) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "…"
    }

    /// `value` as compact JSON text with sorted keys.
    static func json(_ value: some Encodable) throws(ToolError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { throw ToolError("The result could not be encoded.") }
        return String(decoding: data, as: UTF8.self)
    }
}
