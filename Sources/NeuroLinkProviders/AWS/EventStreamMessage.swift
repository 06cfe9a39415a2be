/// One message of an `application/vnd.amazon.eventstream` body: typed headers and a payload.
public struct EventStreamMessage: Sendable, Hashable {
    public var headers: [String: EventStreamHeaderValue]
    public var payload: [UInt8]

    public init(headers: [String: EventStreamHeaderValue], payload: [UInt8]) {
        self.headers = headers
        self.payload = payload
    }

    /// The value of a string header (`:message-type`, `:event-type`, …), `nil` if absent or not a string.
    public func string(_ name: String) -> String? {
        if case .string(let value)? = headers[name] { return value }
        return nil
    }
}

/// A header value; the wire type byte is given for each case.
public enum EventStreamHeaderValue: Sendable, Hashable {
    /// Types 0 (true) and 1 (false): no value bytes.
    case bool(Bool)
    /// Type 2.
    case byte(Int8)
    /// Type 3.
    case short(Int16)
    /// Type 4.
    case integer(Int32)
    /// Type 5.
    case long(Int64)
    /// Type 6: a u16 length, then the bytes.
    case bytes([UInt8])
    /// Type 7: a u16 length, then UTF-8.
    case string(String)
    /// Type 8: milliseconds since the Unix epoch.
    case timestamp(Int64)
    /// Type 9: 16 bytes.
    case uuid([UInt8])
}

/// Why an event-stream body could not be decoded. None of these can be resynchronised from:
/// framing has no markers, so after a bad length nothing later can be trusted.
public enum EventStreamError: Error, Sendable, Hashable {
    /// The CRC-32 of the 8-byte prelude does not match.
    case preludeChecksumMismatch
    /// The CRC-32 of the whole message does not match.
    case messageChecksumMismatch
    /// A message declares more bytes than the decoder accepts.
    case messageTooLarge(declared: UInt32, limit: Int)
    /// Lengths or header encodings that contradict each other.
    case malformed(String)
}
