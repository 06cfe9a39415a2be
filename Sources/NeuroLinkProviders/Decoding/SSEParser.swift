#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One server-sent event.
public struct SSEEvent: Sendable, Hashable {
    /// The `event:` field, when present.
    public var event: String?
    /// The `data:` lines joined with `\n`, as raw UTF-8 bytes.
    public var data: [UInt8]

    public init(event: String? = nil, data: [UInt8]) {
        self.event = event
        self.data = data
    }

    public var dataString: String { String(decoding: data, as: UTF8.self) }
}

/// An incremental parser for `text/event-stream` (WHATWG HTML, "server-sent events").
///
/// Bytes may be fed in pieces split anywhere, including inside a line terminator or a UTF-8
/// sequence: lines are only decoded once complete. Lines end in LF, CRLF or CR; `:` starts a
/// comment; several `data:` lines join with `\n`; a blank line dispatches the event.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventName: String?
    /// The previous piece ended in CR, so a leading LF in the next piece belongs to that CR.
    private var skipLeadingLF = false
    /// Largest line accepted, and largest event: the `data:` lines of one event joined may not
    /// exceed it either. Anything longer means the upstream is not speaking SSE (or never ends an
    /// event); both fail with ``LineTooLong``, since for the caller they are the same failure.
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 8 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// A line, or the data of one event, exceeded ``maxLineBytes``. The parser's state is
    /// undefined afterwards.
    public struct LineTooLong: Error, Sendable {}

    /// Feeds bytes, appending every completed event to `events`.
    public mutating func feed(_ bytes: some Collection<UInt8>, into events: inout [SSEEvent]) throws(LineTooLong) {
        let fed = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(LineTooLong) in try feed(buffer, into: &events) }
        }
        if let fed { return try fed.get() }
        try Array(bytes).withUnsafeBufferPointer { buffer throws(LineTooLong) in try feed(buffer, into: &events) }
    }

    private mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) throws(LineTooLong) {
        var lineStart = 0
        if skipLeadingLF, !bytes.isEmpty {
            if bytes[0] == Self.lf { lineStart = 1 }
            skipLeadingLF = false
        }
        // The next LF is searched for once and kept until a line passes it, so that input whose
        // lines end in CR alone is still scanned in linear time.
        var nextLF = Self.index(of: Self.lf, in: bytes, from: lineStart, to: bytes.count)
        while true {
            if let lf = nextLF, lf < lineStart {
                nextLF = Self.index(of: Self.lf, in: bytes, from: lineStart, to: bytes.count)
            }
            guard let end = Self.index(of: Self.cr, in: bytes, from: lineStart, to: nextLF ?? bytes.count) ?? nextLF
            else { break }
            if line.isEmpty {
                try processLine(bytes[lineStart..<end], into: &events)
            } else {
                line.append(contentsOf: bytes[lineStart..<end])
                if line.count > maxLineBytes { throw LineTooLong() }
                let complete = line
                line.removeAll(keepingCapacity: true)
                try processLine(complete[...], into: &events)
            }
            lineStart = end + 1
            if bytes[end] == Self.cr {
                if lineStart == bytes.count {
                    skipLeadingLF = true
                } else if bytes[lineStart] == Self.lf {
                    lineStart += 1
                }
            }
        }
        if lineStart < bytes.count {
            line.append(contentsOf: bytes[lineStart...])
            if line.count > maxLineBytes { throw LineTooLong() }
        }
    }

    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")
    private static let dataField = Array("data".utf8)
    private static let eventField = Array("event".utf8)

    /// The index of the first `byte` in `start..<end`, found with `memchr`.
    private static func index(
        of byte: UInt8,
        in bytes: UnsafeBufferPointer<UInt8>,
        from start: Int,
        to end: Int
    ) -> Int? {
        guard start < end, let base = bytes.baseAddress else { return nil }
        return memchr(base + start, Int32(byte), end - start).map { UnsafeRawPointer(base).distance(to: $0) }
    }

    /// Whether bytes of an unfinished line or event are pending (the body ended mid-event).
    public var hasPartialEvent: Bool { !line.isEmpty || hasData }

    private mutating func processLine<Line: Collection<UInt8>>(
        _ line: Line,
        into events: inout [SSEEvent]
    ) throws(LineTooLong) {
        guard let first = line.first else {
            dispatch(into: &events)
            return
        }
        if first == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = line[line.startIndex..<(colon ?? line.endIndex)]
        var value = colon.map { line[line.index(after: $0)...] } ?? line[line.endIndex...]
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if field.elementsEqual(Self.dataField) {
            // The event's data is capped like a line: `data:` lines without a blank line between
            // them would otherwise grow it without limit.
            guard data.count + (hasData ? 1 : 0) + value.count <= maxLineBytes else { throw LineTooLong() }
            if hasData {
                data.append(Self.lf)
                data.append(contentsOf: value)
            } else {
                // One allocation of the right size for the usual event of one `data:` line.
                data = Array(value)
            }
            hasData = true
        } else if field.elementsEqual(Self.eventField) {
            eventName = String(decoding: value, as: UTF8.self)
        }
        // `id` and `retry` matter to browsers reconnecting, not to a single streamed response.
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        defer {
            // The event took the buffer: keeping its capacity here would allocate a new one now.
            data = []
            hasData = false
            eventName = nil
        }
        guard hasData else { return }
        events.append(SSEEvent(event: eventName, data: data))
    }
}
