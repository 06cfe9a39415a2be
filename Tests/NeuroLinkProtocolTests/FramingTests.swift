import NIOCore
import NIOEmbedded
import NeuroLinkProtocol
import Testing

@Suite struct FramingTests {
    private let allocator = ByteBufferAllocator()

    /// A frame as raw bytes: 4-byte big-endian length, then the body.
    private func frameBytes(_ body: [UInt8]) -> [UInt8] {
        let n = UInt32(body.count)
        return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + body
    }

    private func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        var b = allocator.buffer(capacity: bytes.count)
        b.writeBytes(bytes)
        return b
    }

    @Test func decodesWholeFrame() throws {
        let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"health"}"#.utf8)
        var input = buffer(frameBytes(body))
        var decoder = FrameDecoder()
        let frame = try #require(try decoder.decode(buffer: &input))
        #expect(Array(frame.readableBytesView) == body)
        #expect(input.readableBytes == 0)
        #expect(try decoder.decode(buffer: &input) == nil)
    }

    @Test func decodesFrameFedOneByteAtATime() throws {
        let body = Array(#"{"a":"héllo 👋"}"#.utf8)
        let bytes = frameBytes(body)
        var decoder = FrameDecoder()
        var input = allocator.buffer(capacity: bytes.count)
        for (index, byte) in bytes.enumerated() {
            input.writeInteger(byte)
            let result = try decoder.decode(buffer: &input)
            if index < bytes.count - 1 {
                #expect(result == nil, "frame completed early after \(index + 1) bytes")
                #expect(input.readableBytes == index + 1, "decoder consumed bytes of an incomplete frame")
            } else {
                let frame = try #require(result)
                #expect(Array(frame.readableBytesView) == body)
            }
        }
    }

    @Test func decodesFrameSplitAtEveryBoundary() throws {
        let body = Array(#"{"jsonrpc":"2.0","method":"stream.chunk","params":{"content":"世界"}}"#.utf8)
        let bytes = frameBytes(body)
        for split in 0...bytes.count {
            var decoder = FrameDecoder()
            var input = buffer(Array(bytes[..<split]))
            var decoded: [ByteBuffer] = []
            if let frame = try decoder.decode(buffer: &input) { decoded.append(frame) }
            #expect(decoded.isEmpty == (split < bytes.count), "split at \(split)")
            input.writeBytes(bytes[split...])
            if let frame = try decoder.decode(buffer: &input) { decoded.append(frame) }
            #expect(decoded.count == 1, "split at \(split)")
            #expect(decoded.first.map { Array($0.readableBytesView) } == body, "split at \(split)")
            #expect(input.readableBytes == 0)
        }
    }

    @Test func decodesTwoFramesBackToBack() throws {
        let first = Array(#"{"n":1}"#.utf8)
        let second = Array(#"{"n":22}"#.utf8)
        var input = buffer(frameBytes(first) + frameBytes(second))
        var decoder = FrameDecoder()
        let a = try #require(try decoder.decode(buffer: &input))
        let b = try #require(try decoder.decode(buffer: &input))
        #expect(Array(a.readableBytesView) == first)
        #expect(Array(b.readableBytesView) == second)
        #expect(try decoder.decode(buffer: &input) == nil)
        #expect(input.readableBytes == 0)
    }

    @Test func decodesZeroLengthFrame() throws {
        var input = buffer([0, 0, 0, 0] + frameBytes(Array("{}".utf8)))
        var decoder = FrameDecoder()
        let empty = try #require(try decoder.decode(buffer: &input))
        #expect(empty.readableBytes == 0)
        let next = try #require(try decoder.decode(buffer: &input))
        #expect(Array(next.readableBytesView) == Array("{}".utf8))
    }

    @Test(arguments: [16, 1024, ProtocolInfo.defaultMaxFrameBytes])
    func rejectsOversizeFrameAsSoonAsLengthArrives(maxFrameBytes: Int) throws {
        let announced = UInt32(maxFrameBytes + 1)
        var decoder = FrameDecoder(maxFrameBytes: maxFrameBytes)
        var input = allocator.buffer(capacity: 4)
        // Three bytes of the length: not yet decidable.
        input.writeBytes([UInt8(announced >> 24), UInt8((announced >> 16) & 0xFF), UInt8((announced >> 8) & 0xFF)])
        #expect(try decoder.decode(buffer: &input) == nil)
        // The fourth byte completes the length; no body byte has arrived.
        input.writeInteger(UInt8(announced & 0xFF))
        let error = #expect(throws: FrameTooLargeError.self) { try decoder.decode(buffer: &input) }
        #expect(error == FrameTooLargeError(announcedBytes: maxFrameBytes + 1, maxFrameBytes: maxFrameBytes))
    }

    @Test func rejectsLargestPossibleLength() throws {
        var decoder = FrameDecoder()
        var input = buffer([0xFF, 0xFF, 0xFF, 0xFF])
        let error = #expect(throws: FrameTooLargeError.self) { try decoder.decode(buffer: &input) }
        #expect(error?.announcedBytes == Int(UInt32.max))
    }

    @Test func acceptsFrameOfExactlyMaxSize() throws {
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 64)
        var decoder = FrameDecoder(maxFrameBytes: 64)
        var input = buffer(frameBytes(body))
        let frame = try #require(try decoder.decode(buffer: &input))
        #expect(frame.readableBytes == 64)
    }

    @Test func aFrameWaitingAtEndOfInputIsStillDelivered() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        try channel.writeInbound(buffer(frameBytes(Array("{}".utf8)) + [0, 0]))
        let frame = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(frame.readableBytes == 2)
        // The two bytes of an unfinished frame are no frame, even at the end of input.
        _ = try channel.finish()
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }

    // MARK: - Read timeout

    private func timedChannel(ms: Int64) -> EmbeddedChannel {
        EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(readTimeout: .milliseconds(ms))))
    }

    @Test func aFrameThatStopsArrivingFailsTheConnectionAfterTheTimeout() throws {
        let channel = timedChannel(ms: 100)
        let bytes = frameBytes(Array(#"{"a":1}"#.utf8))
        try channel.writeInbound(buffer(Array(bytes.prefix(6))))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(99))
        try channel.throwIfErrorCaught()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(2))
        #expect(throws: FrameReadTimeoutError(timeoutMs: 100, receivedBytes: 6)) { try channel.throwIfErrorCaught() }
    }

    @Test func eachFrameGetsItsOwnTimeAndIdleConnectionsNone() throws {
        let channel = timedChannel(ms: 100)
        let bytes = frameBytes(Array(#"{"a":1}"#.utf8))
        for _ in 0..<3 {
            try channel.writeInbound(buffer(Array(bytes.prefix(3))))
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(80))
            try channel.writeInbound(buffer(Array(bytes.dropFirst(3))))
            #expect(try channel.readInbound(as: ByteBuffer.self) != nil)
            // Idle between frames: no partial frame, no clock.
            channel.embeddedEventLoop.advanceTime(by: .seconds(10))
            try channel.throwIfErrorCaught()
        }
        _ = try channel.finish()
    }

    @Test(arguments: [0, 1, 255, 256, 70_000])
    func writeFrameWritesBigEndianLength(bodyLength: Int) throws {
        var output = allocator.buffer(capacity: 16)
        output.writeString("pre")  // The frame must not assume it starts at index 0.
        output.writeFrame { $0.writeBytes([UInt8](repeating: 0x61, count: bodyLength)) }
        #expect(output.readString(length: 3) == "pre")
        let prefix = try #require(output.getBytes(at: output.readerIndex, length: 4))
        let n = UInt32(bodyLength)
        #expect(prefix == [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)])
        #expect(output.readableBytes == 4 + bodyLength)

        var decoder = FrameDecoder()
        let frame = try #require(try decoder.decode(buffer: &output))
        #expect(frame.readableBytes == bodyLength)
    }
}
