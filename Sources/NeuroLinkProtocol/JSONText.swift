/// JSON string literals written into a `String`, for the few places that build small JSON texts
/// by hand rather than through an encoder (frames go through `JSONWriting` into buffers).
public enum JSONText {
    /// Appends `string` to `output` as a JSON string literal, quotes included; at most
    /// `maxScalars` of its Unicode scalars.
    public static func appendQuoted(_ string: String, to output: inout String, maxScalars: Int = .max) {
        output += "\""
        for scalar in string.unicodeScalars.prefix(maxScalars) {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// `string` as a JSON string literal.
    public static func quoted(_ string: String) -> String {
        var output = ""
        appendQuoted(string, to: &output)
        return output
    }
}
