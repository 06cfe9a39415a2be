import NIOCore

/// A frame announced a length above the receiver's limit. The connection must be closed after
/// answering `frame_too_large`, because the rest of the byte stream cannot be resynchronised.
public struct FrameTooLargeError: Error, Sendable, Hashable {
    public var announcedBytes: Int
    public var maxFrameBytes: Int

    public init(announcedBytes: Int, maxFrameBytes: Int) {
        self.announcedBytes = announcedBytes
        self.maxFrameBytes = maxFrameBytes
    }
}

/// Splits a byte stream into frames: a 4-byte big-endian length N, then N bytes of JSON.
///
/// Unlike a generic length-field decoder, it rejects an oversize frame as soon as its length
/// arrives, so a peer cannot make the receiver buffer a huge announced frame.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = ProtocolInfo.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length <= maxFrameBytes else {
            throw FrameTooLargeError(announcedBytes: Int(length), maxFrameBytes: maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}

extension ByteBuffer {
    /// Writes one frame whose JSON body `body` writes; the length prefix is filled in afterwards,
    /// so the body is serialised exactly once, straight into this buffer.
    @inlinable
    public mutating func writeFrame(_ body: (inout ByteBuffer) throws -> Void) rethrows {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        try body(&self)
        setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
    }
}
