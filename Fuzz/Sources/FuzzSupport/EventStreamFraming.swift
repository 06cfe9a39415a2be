/// Builds AWS event-stream messages with correct lengths and CRCs, so the fuzzer can explore what
/// lies behind the checksums (header blocks, payloads, provider events) instead of the checksums.
///
/// Written apart from the decoder under test (only the format is shared).
public enum EventStreamFraming {
    /// One message: `[total u32][headers length u32][prelude CRC][headers][payload][message CRC]`.
    public static func message(headers: [UInt8], payload: [UInt8]) -> [UInt8] {
        var message = u32(12 + headers.count + payload.count + 4) + u32(headers.count)
        message += u32(crc32(message))
        message += headers + payload
        message += u32(crc32(message))
        return message
    }

    /// A string header (type 7); names and values are cut to what their length fields hold.
    public static func stringHeader(_ name: ArraySlice<UInt8>, _ value: ArraySlice<UInt8>) -> [UInt8] {
        let name = name.prefix(255)
        let value = value.prefix(Int(UInt16.max))
        return [UInt8(name.count)] + name + [7] + u16(value.count) + value
    }

    /// Messages from a binary description: repeatedly a header-block length (u8), the raw header
    /// block, a payload length (u16, big-endian) and the payload; lengths past the end are cut.
    public static func messages(fromBinary spec: [UInt8]) -> [UInt8] {
        var reader = spec[...]
        var output: [UInt8] = []
        while let headersLength = reader.popFirst() {
            let headers = Array(reader.prefix(Int(headersLength)))
            reader = reader.dropFirst(headers.count)
            let high = Int(reader.popFirst() ?? 0)
            let low = Int(reader.popFirst() ?? 0)
            let payload = Array(reader.prefix(high << 8 | low))
            reader = reader.dropFirst(payload.count)
            output += message(headers: headers, payload: payload)
        }
        return output
    }

    /// Messages from a text description, one per NUL-separated record: a header line of
    /// `name=value` string headers separated by `;` (a name alone is a `true` header), a line
    /// feed, and the payload. Example: `:message-type=event;:event-type=PayloadPart\ndata: ...`.
    public static func messages(fromText spec: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        for record in spec.split(separator: 0, omittingEmptySubsequences: true) {
            let newline = record.firstIndex(of: UInt8(ascii: "\n")) ?? record.endIndex
            var headers: [UInt8] = []
            for field in record[..<newline].split(separator: UInt8(ascii: ";")) {
                if let equals = field.firstIndex(of: UInt8(ascii: "=")) {
                    headers += stringHeader(field[..<equals], field[(equals + 1)...])
                } else {
                    let name = field.prefix(255)
                    headers += [UInt8(name.count)] + name + [0]
                }
            }
            let payload = newline == record.endIndex ? [] : Array(record[(newline + 1)...])
            output += message(headers: headers, payload: payload)
        }
        return output
    }

    static func u32(_ value: some BinaryInteger) -> [UInt8] {
        let value = UInt32(truncatingIfNeeded: value)
        return [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func u16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// CRC-32 (IEEE 802.3, reflected), bit by bit: slow, but independent of the decoder's table.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
