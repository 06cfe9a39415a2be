import NIOCore

/// JSON string escaping straight into a `ByteBuffer`, byte for byte as a typical JSON encoder:
/// `"` and `\` are backslash-escaped, control characters use their short forms or `\u00XX`,
/// everything else (including non-ASCII UTF-8) passes through.
enum JSONEscaping {
    /// Writes the escaped contents of `string`, without surrounding quotes.
    static func write(_ string: String, into buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    buffer.writeBytes(UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                }
                writeEscape(for: byte, into: &buffer)
                runStart = index + 1
            }
            if runStart < utf8.count {
                buffer.writeBytes(UnsafeBufferPointer(rebasing: utf8[runStart...]))
            }
        }
    }

    /// The escaped contents of `string`, without surrounding quotes.
    static func escaped(_ string: String) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: string.utf8.count + 8)
        write(string, into: &buffer)
        return String(buffer: buffer)
    }

    private static func writeEscape(for byte: UInt8, into buffer: inout ByteBuffer) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hex[Int(byte >> 4)])
            buffer.writeInteger(hex[Int(byte & 0x0F)])
        }
    }
}
