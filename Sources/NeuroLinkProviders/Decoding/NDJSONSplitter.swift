/// An incremental line splitter for newline-delimited JSON (`application/x-ndjson`).
///
/// Bytes may be fed in pieces split anywhere, including between the CR and LF of a line end or
/// inside a UTF-8 sequence: a line is only handed out once its LF has arrived, and it is handed out
/// as bytes, so a multi-byte character split across reads is whole again by then. Lines end in LF
/// or CRLF; a lone CR is ordinary line content, as NDJSON allows no other separator. Blank lines
/// carry no record and are skipped.
public struct NDJSONSplitter: Sendable {
    /// Bytes of the line that has not ended yet.
    private var pending: [UInt8] = []
    /// Longest line accepted, without its terminator; a longer one means the upstream is not
    /// speaking NDJSON, and buffering it without bound would let it exhaust memory.
    public let maxLineBytes: Int

    /// A line was longer than ``maxLineBytes``. The splitter's state is undefined afterwards.
    public struct LineTooLong: Error, Sendable, Hashable {
        /// The limit that was exceeded.
        public let maxLineBytes: Int
    }

    /// - Parameter maxLineBytes: the longest line accepted; the default matches ``SSEParser``.
    public init(maxLineBytes: Int = 8 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes, appending every completed non-blank line, without its line end, to `lines`.
    public mutating func feed(_ bytes: some Collection<UInt8>, into lines: inout [[UInt8]]) throws(LineTooLong) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line: [UInt8]
            if pending.isEmpty {
                line = Array(bytes[start..<newline])
            } else {
                line = pending
                line.append(contentsOf: bytes[start..<newline])
                pending.removeAll(keepingCapacity: true)
            }
            start = bytes.index(after: newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            guard line.count <= maxLineBytes else { throw LineTooLong(maxLineBytes: maxLineBytes) }
            if !Self.isBlank(line) { lines.append(line) }
        }
        pending.append(contentsOf: bytes[start...])
        // A trailing CR may be half of a CRLF, so it does not count against the limit yet.
        let contentBytes = pending.last == UInt8(ascii: "\r") ? pending.count - 1 : pending.count
        guard contentBytes <= maxLineBytes else { throw LineTooLong(maxLineBytes: maxLineBytes) }
    }

    /// Whether an unterminated line is buffered (the body so far ends mid-line).
    public var hasPartialLine: Bool { !Self.isBlank(pending) }

    /// Hands out the unterminated last line, if it is not blank, and empties the buffer.
    ///
    /// Call it once the body has ended: a server may omit the final line end, and whether the
    /// remainder is a whole record or a truncated one is for the caller to judge.
    public mutating func takeRemainder() -> [UInt8]? {
        defer { pending.removeAll() }
        var line = pending
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return Self.isBlank(line) ? nil : line
    }

    /// Only JSON whitespace: such a line holds no record.
    private static func isBlank(_ line: [UInt8]) -> Bool {
        line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }
}
