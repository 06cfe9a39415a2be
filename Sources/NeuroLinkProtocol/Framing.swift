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

/// A frame's announced bytes did not all arrive within the read timeout; the connection must be
/// closed, since the byte stream cannot be resynchronised.
public struct FrameReadTimeoutError: Error, Sendable, Hashable {
    public var timeoutMs: Int64
    /// Bytes of the unfinished frame (length prefix included) received before the timeout.
    public var receivedBytes: Int

    public init(timeoutMs: Int64, receivedBytes: Int) {
        self.timeoutMs = timeoutMs
        self.receivedBytes = receivedBytes
    }
}

/// Splits a byte stream into frames: a 4-byte big-endian length N, then N bytes of JSON.
///
/// Unlike a generic length-field decoder, it rejects an oversize frame as soon as its length
/// arrives, so a peer cannot make the receiver buffer a huge announced frame. With a
/// `readTimeout`, a frame must arrive whole within that time of its first byte: a peer that
/// announces a frame and stops sending cannot hold the buffer for ever.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public let maxFrameBytes: Int
    public let readTimeout: TimeAmount?
    private var timeout: Scheduled<Void>?

    public init(maxFrameBytes: Int = ProtocolInfo.defaultMaxFrameBytes, readTimeout: TimeAmount? = nil) {
        self.maxFrameBytes = maxFrameBytes
        self.readTimeout = readTimeout
    }

    /// The next whole frame's body, if it has all arrived.
    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length <= maxFrameBytes else {
            throw FrameTooLargeError(announcedBytes: Int(length), maxFrameBytes: maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try decode(buffer: &buffer) else {
            if buffer.readableBytes > 0 { armTimeout(context: context, partial: buffer.readableBytes) }
            return .needMoreData
        }
        // Each frame gets its own time from its first byte.
        timeout?.cancel()
        timeout = nil
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        let state = try decode(context: context, buffer: &buffer)
        if state == .needMoreData {
            timeout?.cancel()
            timeout = nil
        }
        return state
    }

    public mutating func decoderRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
    }

    /// Starts the clock for a partial frame, unless it already runs for it.
    private mutating func armTimeout(context: ChannelHandlerContext, partial: Int) {
        guard let readTimeout, timeout == nil else { return }
        let error = FrameReadTimeoutError(timeoutMs: readTimeout.nanoseconds / 1_000_000, receivedBytes: partial)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: readTimeout) {
            loopBound.value.fireErrorCaught(error)
        }
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
