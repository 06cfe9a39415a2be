/// Appends bytes to raw memory the caller sized beforehand (``jsonStringBytes(_:)`` tells how much
/// a string takes): JSON text written in one pass, without a capacity check per piece. Both
/// `ByteBuffer.writeJSONString` and the content chunk frame write through it.
struct RawJSONOutput {
    let memory: UnsafeMutableRawBufferPointer
    var count: Int

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, let base = memory.baseAddress, !bytes.isEmpty else { return }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(byte: UInt8) {
        memory[count] = byte
        count += 1
    }

    mutating func appendDecimal(_ number: Int64) {
        if number < 0 { append(byte: UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64's 20 digits
        withUnsafeMutableBytes(of: &scratch) { digits in
            var index = digits.count
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            append(UnsafeRawBufferPointer(rebasing: digits[index...]))
        }
    }

    /// The bytes `utf8` takes as a JSON string: its own, the two quotes, and one more for each
    /// short escape or five more for each `\u00XX`.
    static func jsonStringBytes(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var count = utf8.count + 2
        for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                count += 1
            default: count += 5
            }
        }
        return count
    }

    /// `utf8` as a JSON string: quotes, backslashes and control characters escaped (the short
    /// escapes where JSON has them, `\u00XX` otherwise); everything else byte for byte.
    mutating func appendJSONString(_ utf8: UnsafeBufferPointer<UInt8>) {
        append(byte: UInt8(ascii: "\""))
        var runStart = 0
        for index in utf8.indices {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart..<index])))
            appendEscape(byte)
            runStart = index + 1
        }
        append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[runStart...])))
        append(byte: UInt8(ascii: "\""))
    }

    private mutating func appendEscape(_ byte: UInt8) {
        append(byte: UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): append(byte: byte)
        case UInt8(ascii: "\n"): append(byte: UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): append(byte: UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): append(byte: UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            append("u00")
            append(byte: hex.utf8Start[Int(byte >> 4)])
            append(byte: hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}
