@testable import NeuroLinkProviders

/// Builds event-stream frames for tests, independent of the decoder under test (only the CRC is shared,
/// and it is checked against the standard check value separately).
enum EventStreamTestEncoder {
    enum Header {
        case string(String, String)
        case raw(String, type: UInt8, value: [UInt8])
    }

    static func frame(_ headers: [Header], payload: [UInt8]) -> [UInt8] {
        var headerBytes: [UInt8] = []
        for header in headers {
            switch header {
            case .string(let name, let value):
                headerBytes +=
                    [UInt8(name.utf8.count)] + Array(name.utf8) + [7] + u16(value.utf8.count) + Array(value.utf8)
            case .raw(let name, let type, let value):
                headerBytes += [UInt8(name.utf8.count)] + Array(name.utf8) + [type] + value
            }
        }
        let total = 12 + headerBytes.count + payload.count + 4
        var message = u32(total) + u32(headerBytes.count)
        message += u32(Int(CRC32.checksum(message)))
        message += headerBytes + payload
        message += u32(Int(CRC32.checksum(message)))
        return message
    }

    /// A ConverseStream event with the headers Bedrock sends.
    static func event(_ type: String, _ json: String) -> [UInt8] {
        frame(
            [
                .string(":event-type", type), .string(":content-type", "application/json"),
                .string(":message-type", "event"),
            ],
            payload: Array(json.utf8)
        )
    }

    static func exception(_ type: String, _ message: String) -> [UInt8] {
        frame(
            [
                .string(":exception-type", type), .string(":content-type", "application/json"),
                .string(":message-type", "exception"),
            ],
            payload: Array("{\"message\":\"\(message)\"}".utf8)
        )
    }

    static func u32(_ value: Int) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8),
            UInt8(truncatingIfNeeded: value),
        ]
    }

    static func u16(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
