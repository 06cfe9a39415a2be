/// Incremental decoder of AWS event-stream framing (`application/vnd.amazon.eventstream`).
///
/// Each message on the wire is
/// `[total length u32][headers length u32][prelude CRC u32][headers][payload][message CRC u32]`,
/// all big-endian. Bytes may arrive split anywhere; ``feed(_:)`` keeps the incomplete tail until
/// the rest comes. Every length is checked against the message before it is used, both CRCs are
/// verified, and a message declaring more than ``maxMessageBytes`` is refused before buffering it.
public struct EventStreamDecoder: Sendable {
    /// The default size limit: far above any Bedrock event, far below what could hurt the daemon.
    public static let defaultMaxMessageBytes = 16 << 20
    /// Prelude (12) plus the trailing message CRC (4): the smallest possible message.
    static let minimumMessageBytes = 16

    public let maxMessageBytes: Int
    private var buffer: [UInt8] = []
    /// Where the next unread message starts in `buffer`; consumed bytes are dropped lazily.
    private var start = 0

    public init(maxMessageBytes: Int = EventStreamDecoder.defaultMaxMessageBytes) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Whether bytes of an unfinished message are buffered (a body ending now would be truncated).
    public var hasPartialMessage: Bool { start < buffer.count }

    /// Adds `bytes` and returns every message they complete, in order.
    public mutating func feed(_ bytes: [UInt8]) throws(EventStreamError) -> [EventStreamMessage] {
        buffer += bytes
        var messages: [EventStreamMessage] = []
        while let message = try nextMessage() { messages.append(message) }
        // Compact once the consumed prefix dominates, so a long stream does not grow the buffer.
        if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        return messages
    }

    private mutating func nextMessage() throws(EventStreamError) -> EventStreamMessage? {
        let available = buffer.count - start
        guard available >= 12 else { return nil }
        let totalLength = readUInt32(start)
        let headersLength = readUInt32(start + 4)
        guard CRC32.checksum(buffer[start..<start + 8]) == readUInt32(start + 8) else {
            throw .preludeChecksumMismatch
        }
        guard Int(totalLength) <= maxMessageBytes else {
            throw .messageTooLarge(declared: totalLength, limit: maxMessageBytes)
        }
        guard Int(totalLength) >= Self.minimumMessageBytes else {
            throw .malformed("total length \(totalLength) is below 16")
        }
        guard Int(headersLength) <= Int(totalLength) - Self.minimumMessageBytes else {
            throw .malformed("headers length \(headersLength) exceeds the message")
        }
        let total = Int(totalLength)
        guard available >= total else { return nil }
        let end = start + total
        guard CRC32.checksum(buffer[start..<end - 4]) == readUInt32(end - 4) else { throw .messageChecksumMismatch }
        let headersStart = start + 12
        let payloadStart = headersStart + Int(headersLength)
        let headers = try EventStreamHeaderParser.parse(buffer[headersStart..<payloadStart])
        let payload = Array(buffer[payloadStart..<end - 4])
        start = end
        return EventStreamMessage(headers: headers, payload: payload)
    }

    /// Big-endian u32 at `offset`; callers have checked that four bytes are there.
    private func readUInt32(_ offset: Int) -> UInt32 {
        buffer[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
