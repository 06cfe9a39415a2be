import NIOCore

/// Writes a `text` or `reasoning` chunk frame in one pass over the buffer's memory: the daemon
/// writes one per relayed chunk, and as a dozen `ByteBuffer` writes (each checking capacity and
/// exclusive access) with the numbers formatted into `String`s first, it cost more than decoding
/// the provider's event. The bytes are those the general writers (`writeChunkHead`, `writeJSONString`)
/// write.
struct ContentChunkFrame {
    static let head: StaticString = #"{"jsonrpc":"2.0","method":"stream.chunk","params":{"requestId":"#
    static let seqKey: StaticString = #","seq":"#
    static let typeKey: StaticString = #","type":"#
    static let contentKey: StaticString = #","content":"#
    static let tail: StaticString = "}}"

    /// At most what the frame takes: the fixed parts, the escaped strings, and 21 bytes for each
    /// number (20 digits and a sign).
    static func maximumBytes(id: RPCID, type: UnsafeBufferPointer<UInt8>, content: UnsafeBufferPointer<UInt8>) -> Int {
        let fixed =
            4 + head.utf8CodeUnitCount + seqKey.utf8CodeUnitCount + typeKey.utf8CodeUnitCount
            + contentKey.utf8CodeUnitCount + tail.utf8CodeUnitCount + 21
        let idBytes: Int
        switch id {
        case .number: idBytes = 21
        case .string(var text): idBytes = text.withUTF8(RawJSONOutput.jsonStringBytes)
        }
        return fixed + idBytes + RawJSONOutput.jsonStringBytes(type) + RawJSONOutput.jsonStringBytes(content)
    }

    /// Writes the frame at the start of `memory`, which holds at least
    /// ``maximumBytes(id:type:content:)``; returns the bytes written.
    static func write(
        into memory: UnsafeMutableRawBufferPointer,
        id: RPCID,
        seq: Int,
        type: UnsafeBufferPointer<UInt8>,
        content: UnsafeBufferPointer<UInt8>
    ) -> Int {
        var out = RawJSONOutput(memory: memory, count: 4)
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
