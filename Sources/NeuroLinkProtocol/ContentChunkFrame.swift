import NIOCore

/// Writes a `text` or `reasoning` chunk frame in one pass over the buffer's memory: the daemon
/// writes one per relayed chunk, and as a dozen `ByteBuffer` writes (each checking capacity and
/// exclusive access) with the numbers formatted into `String`s first, it cost more than decoding
/// the provider's event. The bytes are those `ByteBuffer.writeJSONString` and friends write.
struct ContentChunkFrame {
    static let head: StaticString = #"{"jsonrpc":"2.0","method":"stream.chunk","params":{"requestId":"#
    static let seqKey: StaticString = #","seq":"#
    static let typeKey: StaticString = #","type":"#
    static let contentKey: StaticString = #","content":"#
    static let tail: StaticString = "}}"

    /// At most what the fixed parts, two 20-digit numbers with signs, and the escaped strings
    /// (six bytes per byte at worst, `\u00XX`, plus quotes) take.
    static func maximumBytes(id: RPCID, type: String, content: Int) -> Int {
        let fixed =
            4 + head.utf8CodeUnitCount + seqKey.utf8CodeUnitCount + typeKey.utf8CodeUnitCount
            + contentKey.utf8CodeUnitCount + tail.utf8CodeUnitCount + 21 + 2 * 2
        let idBytes: Int
        switch id {
        case .number: idBytes = 21
        case .string(let text): idBytes = 2 + 6 * text.utf8.count
        }
        return fixed + idBytes + 6 * type.utf8.count + 6 * content
    }

    /// Writes the frame at the start of `memory`, which holds at least ``maximumBytes(id:type:content:)``;
    /// returns the bytes written.
    static func write(
        into memory: UnsafeMutableRawBufferPointer,
        id: RPCID,
        seq: Int,
        type: UnsafeBufferPointer<UInt8>,
        content: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var out = RawOutput(memory: memory, count: 4)
        out.append(head)
        switch id {
        case .number(let number): out.appendDecimal(number)
        case .string(var text): text.withUTF8 { out.appendJSONString($0) }
        }
        out.append(seqKey)
        out.appendDecimal(Int64(seq))
        out.append(typeKey)
        out.appendJSONString(type)
        out.append(contentKey)
        out.appendJSONString(content)
        out.append(tail)
        memory.storeBytes(of: UInt32(out.count - 4).bigEndian, toByteOffset: 0, as: UInt32.self)
        return out.count
    }
}

/// Appends bytes to raw memory the caller sized beforehand.
private struct RawOutput {
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

    /// `utf8` as a JSON string: quotes, backslashes and control characters escaped, as
    /// `ByteBuffer.writeJSONString` does.
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
