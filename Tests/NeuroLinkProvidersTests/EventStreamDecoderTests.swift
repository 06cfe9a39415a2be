import Testing

@testable import NeuroLinkProviders

@Suite struct EventStreamDecoderTests {
    typealias Encoder = EventStreamTestEncoder

    @Test func crc32CheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        let whole = CRC32.checksum(Array("hello world".utf8))
        #expect(CRC32.checksum(Array(" world".utf8), seed: CRC32.checksum(Array("hello".utf8))) == whole)
    }

    /// AWS's documented minimal frames: an empty message and one with a single int32 header.
    @Test func knownFrames() throws {
        var decoder = EventStreamDecoder()
        let empty: [UInt8] = [
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x05, 0xC2, 0x48, 0xEB, 0x7D, 0x98, 0xC8, 0xFF,
        ]
        #expect(try decoder.feed(empty) == [EventStreamMessage(headers: [:], payload: [])])
        let frame = Encoder.frame([.string(":event-type", "chunk")], payload: Array("{\"a\":1}".utf8))
        let messages = try decoder.feed(frame)
        #expect(messages.count == 1)
        #expect(messages.first?.string(":event-type") == "chunk")
        #expect(messages.first?.payload == Array("{\"a\":1}".utf8))
        #expect(!decoder.hasPartialMessage)
    }

    @Test func everyHeaderType() throws {
        let uuid = Array(0..<16).map(UInt8.init)
        let frame = Encoder.frame(
            [
                .raw("t", type: 0, value: []), .raw("f", type: 1, value: []), .raw("b", type: 2, value: [0xFF]),
                .raw("s", type: 3, value: [0x01, 0x02]), .raw("i", type: 4, value: [0xFF, 0xFF, 0xFF, 0xFE]),
                .raw("l", type: 5, value: [0, 0, 0, 0, 0, 0, 1, 0]), .raw("y", type: 6, value: [0, 2, 0xAB, 0xCD]),
                .string("str", "välue"), .raw("ts", type: 8, value: [0, 0, 0, 0, 0, 0, 0x03, 0xE8]),
                .raw("u", type: 9, value: uuid),
            ],
            payload: [1, 2, 3]
        )
        var decoder = EventStreamDecoder()
        let message = try #require(try decoder.feed(frame).first)
        #expect(
            message.headers == [
                "t": .bool(true), "f": .bool(false), "b": .byte(-1), "s": .short(258), "i": .integer(-2),
                "l": .long(256),
                "y": .bytes([0xAB, 0xCD]), "str": .string("välue"), "ts": .timestamp(1000), "u": .uuid(uuid),
            ]
        )
        #expect(message.payload == [1, 2, 3])
        #expect(message.string("t") == nil, "a non-string header is not read as a string")
    }

    /// Two frames cut at every possible point decode to the same two messages.
    @Test func everySplitPoint() throws {
        let bytes =
            Encoder.event("contentBlockDelta", #"{"delta":{"text":"hé"}}"#)
            + Encoder.event("messageStop", #"{"stopReason":"end_turn"}"#)
        var reference = EventStreamDecoder()
        let expected = try reference.feed(bytes)
        #expect(expected.count == 2)
        for cut in 0...bytes.count {
            var decoder = EventStreamDecoder()
            let messages = try decoder.feed(Array(bytes[..<cut])) + decoder.feed(Array(bytes[cut...]))
            #expect(messages == expected, "cut at \(cut)")
            #expect(!decoder.hasPartialMessage)
        }
        var bytewise = EventStreamDecoder()
        var messages: [EventStreamMessage] = []
        for byte in bytes { messages += try bytewise.feed([byte]) }
        #expect(messages == expected)
    }

    @Test func badPreludeChecksum() {
        var frame = Encoder.event("messageStop", "{}")
        frame[9] ^= 0x01
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamError.preludeChecksumMismatch) { try decoder.feed(frame) }
    }

    @Test func badMessageChecksum() {
        var frame = Encoder.event("messageStop", #"{"stopReason":"end_turn"}"#)
        frame[frame.count - 6] ^= 0x20  // a payload byte
        var decoder = EventStreamDecoder()
        #expect(throws: EventStreamError.messageChecksumMismatch) { try decoder.feed(frame) }
    }

    @Test func truncatedFrameIsKeptAsPartial() throws {
        let frame = Encoder.event("messageStop", "{}")
        var decoder = EventStreamDecoder()
        #expect(try decoder.feed(Array(frame.dropLast())).isEmpty)
        #expect(decoder.hasPartialMessage)
    }

    @Test func oversizeIsRefusedFromThePrelude() {
        var prelude = Encoder.u32(1 << 30) + Encoder.u32(0)
        prelude += Encoder.u32(Int(CRC32.checksum(prelude)))
        var decoder = EventStreamDecoder(maxMessageBytes: 1024)
        #expect(throws: EventStreamError.messageTooLarge(declared: 1 << 30, limit: 1024)) { try decoder.feed(prelude) }
    }

    @Test func inconsistentLengths() {
        func prelude(total: Int, headers: Int) -> [UInt8] {
            var bytes = Encoder.u32(total) + Encoder.u32(headers)
            bytes += Encoder.u32(Int(CRC32.checksum(bytes)))
            return bytes
        }
        var tooShort = EventStreamDecoder()
        #expect(throws: EventStreamError.self) { try tooShort.feed(prelude(total: 8, headers: 0)) }
        var headersTooLong = EventStreamDecoder()
        #expect(throws: EventStreamError.self) { try headersTooLong.feed(prelude(total: 20, headers: 5)) }
    }

    /// A header whose declared value length runs past the header block is an error, not a read out of bounds.
    @Test func headerOverrunsBlock() {
        let frames = [
            Encoder.frame([.raw("s", type: 7, value: [0x00, 0x40, 0x41])], payload: []),
            Encoder.frame([.raw("i", type: 4, value: [0x00])], payload: []),
            Encoder.frame([.raw("u", type: 99, value: [])], payload: []),
        ]
        for frame in frames {
            var decoder = EventStreamDecoder()
            #expect(throws: EventStreamError.self) { try decoder.feed(frame) }
        }
    }
}
