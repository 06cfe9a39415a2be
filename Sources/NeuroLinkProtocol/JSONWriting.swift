import NIOCore

extension ByteBuffer {
    /// Appends `string` as a JSON string literal, quotes included.
    @inlinable
    public mutating func writeJSONString(_ string: String) {
        writeInteger(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<index])))
                }
                writeJSONEscape(byte)
                runStart = index + 1
            }
            if runStart < utf8.count {
                writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart...])))
            }
        }
        writeInteger(UInt8(ascii: "\""))
    }

    @usableFromInline
    mutating func writeJSONEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): writeStaticString("\\\"")
        case UInt8(ascii: "\\"): writeStaticString("\\\\")
        case UInt8(ascii: "\n"): writeStaticString("\\n")
        case UInt8(ascii: "\r"): writeStaticString("\\r")
        case UInt8(ascii: "\t"): writeStaticString("\\t")
        default:
            let hex: StaticString = "0123456789abcdef"
            writeStaticString("\\u00")
            hex.withUTF8Buffer { digits in
                writeInteger(digits[Int(byte >> 4)])
                writeInteger(digits[Int(byte & 0xF)])
            }
        }
    }

    /// Appends an id as JSON (a number or a string literal).
    @inlinable
    public mutating func writeJSONID(_ id: RPCID) {
        switch id {
        case .number(let n): writeString(String(n))
        case .string(let s): writeJSONString(s)
        }
    }
}
