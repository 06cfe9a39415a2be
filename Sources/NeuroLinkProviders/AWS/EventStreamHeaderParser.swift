/// Parses the header block of one event-stream message, checking every length against the block.
enum EventStreamHeaderParser {
    static func parse(_ bytes: ArraySlice<UInt8>) throws(EventStreamError) -> [String: EventStreamHeaderValue] {
        var reader = Reader(bytes: bytes)
        var headers: [String: EventStreamHeaderValue] = [:]
        while !reader.isAtEnd {
            let nameLength = Int(try reader.byte())
            guard nameLength > 0 else { throw .malformed("a header has an empty name") }
            let name = String(decoding: try reader.take(nameLength), as: UTF8.self)
            let type = try reader.byte()
            let value: EventStreamHeaderValue
            switch type {
            case 0: value = .bool(true)
            case 1: value = .bool(false)
            case 2: value = .byte(Int8(bitPattern: try reader.byte()))
            case 3: value = .short(Int16(bitPattern: UInt16(truncatingIfNeeded: try reader.bigEndian(2))))
            case 4: value = .integer(Int32(bitPattern: UInt32(truncatingIfNeeded: try reader.bigEndian(4))))
            case 5: value = .long(Int64(bitPattern: try reader.bigEndian(8)))
            case 6: value = .bytes(Array(try reader.take(Int(try reader.bigEndian(2)))))
            case 7: value = .string(String(decoding: try reader.take(Int(try reader.bigEndian(2))), as: UTF8.self))
            case 8: value = .timestamp(Int64(bitPattern: try reader.bigEndian(8)))
            case 9: value = .uuid(Array(try reader.take(16)))
            default: throw .malformed("header \(name.prefix(64)) has unknown type \(type)")
            }
            headers[name] = value
        }
        return headers
    }

    /// A cursor that refuses to read past the end of the header block.
    private struct Reader {
        let bytes: ArraySlice<UInt8>
        var offset: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            offset = bytes.startIndex
        }

        var isAtEnd: Bool { offset >= bytes.endIndex }

        mutating func take(_ count: Int) throws(EventStreamError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.endIndex - offset >= count else {
                throw .malformed("a header runs past the header block")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func byte() throws(EventStreamError) -> UInt8 {
            let slice = try take(1)
            return slice[slice.startIndex]
        }

        mutating func bigEndian(_ count: Int) throws(EventStreamError) -> UInt64 {
            try take(count).reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
