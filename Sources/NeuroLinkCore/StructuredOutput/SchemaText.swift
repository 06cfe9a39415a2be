import NeuroLinkProtocol

/// Short renderings of values for violation messages.
enum SchemaText {
    /// Longest rendering before it is cut with `…`; keeps messages readable for huge values.
    static let limit = 80

    /// `value` as compact JSON with sorted keys, truncated to about ``limit`` characters.
    static func render(_ value: JSONValue) -> String {
        var output = ""
        append(value, to: &output)
        return output.count > limit ? String(output.prefix(limit)) + "…" : output
    }

    /// The value's type, with the value itself for scalars: `number 1.5`, `string "a"`, `object`.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool, .number, .string: "\(value.typeName) \(render(value))"
        case .array(let elements): "array of \(elements.count) items"
        case .object: "object"
        }
    }

    /// A number the way JSON would write it: `3`, not `3.0`.
    static func format(_ number: Double) -> String {
        if let integer = JSONValue.number(number).intValue { return String(integer) }
        return String(number)
    }

    private static func append(_ value: JSONValue, to output: inout String) {
        // Stopping once past the limit also bounds recursion on deeply nested values.
        guard output.utf8.count <= limit else { return }
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number): output += format(number)
        case .string(let string): appendString(string, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                append(element, to: &output)
                if output.utf8.count > limit { break }
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, member)) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output += "," }
                appendString(key, to: &output)
                output += ":"
                append(member, to: &output)
                if output.utf8.count > limit { break }
            }
            output += "}"
        }
    }

    private static func appendString(_ string: String, to output: inout String) {
        JSONText.appendQuoted(string, to: &output, maxScalars: limit + 1)
    }
}
