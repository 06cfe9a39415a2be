import Foundation
import MCP

/// Conversions between JSON text, as the daemon's tool layer speaks it, and the SDK's `Value`.
enum JSONText {
    /// The schema reported for tools that declare none.
    static let emptyObjectSchema = #"{"type":"object"}"#

    /// The JSON text of a tool's input schema; sorted keys keep it stable across listings.
    static func schema(_ value: Value) -> String {
        guard !value.isNull, let text = encode(value) else { return emptyObjectSchema }
        return text
    }

    /// Compact JSON text of `value`, or nil if it cannot be encoded (a non-finite number).
    static func encode(_ value: Value) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes tool arguments; they must be a JSON object (an empty text counts as `{}`, since
    /// models sometimes send nothing for tools without parameters).
    static func arguments(_ text: String) throws(MCPCallError) -> [String: Value] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return [:] }
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(trimmed.utf8))
        } catch {
            throw .protocolError("arguments are not valid JSON")
        }
        guard let object = value.objectValue else { throw .protocolError("arguments must be a JSON object") }
        return object
    }
}
