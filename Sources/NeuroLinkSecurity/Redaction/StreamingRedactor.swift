/// Redacts a text that arrives in pieces, with exactly the result of ``Redactor`` on the whole text.
///
/// For any text and any split of it into pieces (strings, or bytes cut anywhere, even inside a
/// character), the outputs of the `feed` calls followed by `finish` concatenate to
/// `Redactor(rules:).redact(text)`, and ``counts`` ends equal to its counts.
///
/// **Hold-back.** Text is released as soon as no match can start in it any more: what stays held
/// (``heldByteCount``) is the text from the earliest position where a match is still possible, and
/// that is always less than ``lookaheadLimit`` (255) bytes, because no detector reads that far from
/// a position (an e-mail address of up to 254 bytes needs the byte after it). In plain prose only the last, possibly unfinished word is held
/// (it might still become an e-mail address; a trailing `.` counts as part of it), or a trailing
/// `-`, `+`, `(` or `:` that could start a match, plus at most three bytes of an incomplete UTF-8
/// character; other scripts (CJK, emoji) and other punctuation are not held at all. Digits are
/// held while they could still become a phone, card, SSN, IBAN or IP address (a number followed by
/// a space waits for the next byte, which may continue a grouped number).
///
/// **Open-ended matches.** A private key block, JWT or variable-length API key is recognised from a
/// bounded prefix (the BEGIN line; `eyJ…` `.eyJ`; `sk-` and 32 key bytes); from then the replacement
/// is emitted once and the rest of the match is swallowed without being buffered (at most one
/// tentative `.` of a JWT is held).
///
/// **Cost.** Work is amortised linear in the input: bytes that cannot start a match are skipped with
/// one comparison, and a position whose decision needs more input is re-examined only once the new
/// bytes number at least 1/64 of the bytes it examined, so a long candidate fed a byte at a time
/// costs at most 64 rereads per received byte instead of a rescan of the held text per byte. That
/// can delay a release by up to 3 bytes (1/64 of a candidate under 255 bytes).
public struct StreamingRedactor: Sendable {
    /// Detectors never read this many bytes or more ahead of a position; ``heldByteCount`` stays
    /// below it after every call.
    public static let lookaheadLimit = PIIScanWindow.lookahead

    private let detectors: PIIDetectorSet
    private var buffer: [UInt8] = []
    private var cursor = PIIStreamCursor()

    /// How many matches of each kind have been redacted so far (kept across ``finish()``).
    public private(set) var counts = RedactionCounts()

    /// Creates a streaming redactor for `rules`.
    public init(rules: RedactionRules = .default) {
        detectors = PIIDetectorSet(rules: CompiledRedactionRules(rules))
    }

    /// Bytes received but neither released nor swallowed yet.
    public var heldByteCount: Int {
        buffer.count - cursor.released
    }

    /// Feeds the next piece and returns the text that can be released now.
    public mutating func feed(_ piece: String) -> String {
        String(decoding: feed(utf8: piece.utf8), as: UTF8.self)
    }

    /// Feeds the next bytes (split anywhere) and returns the bytes that can be released now.
    ///
    /// The returned bytes never end inside a UTF-8 character, so each chunk decodes on its own.
    public mutating func feed(utf8 piece: some Collection<UInt8>) -> [UInt8] {
        buffer.append(contentsOf: piece)
        return advance(isFinal: false)
    }

    /// Ends the text: returns everything still held, redacted, and resets for a new text.
    public mutating func finish() -> String {
        String(decoding: finishUTF8(), as: UTF8.self)
    }

    /// Ends the text: returns every byte still held, redacted, and resets for a new text.
    public mutating func finishUTF8() -> [UInt8] {
        let output = advance(isFinal: true)
        buffer.removeAll(keepingCapacity: true)
        cursor = PIIStreamCursor()
        return output
    }

    private mutating func advance(isFinal: Bool) -> [UInt8] {
        var output: [UInt8] = []
        var state = cursor
        var tally = counts
        let detectors = self.detectors
        buffer.withUnsafeBufferPointer { bytes in
            state.advance(over: bytes, detectors: detectors, isFinal: isFinal, output: &output, counts: &tally)
        }
        cursor = state
        counts = tally
        compact()
        return output
    }

    /// Drops bytes that are released or swallowed, keeping two bytes of look-behind. Only done when
    /// the dropped part is at least as long as the kept part, so the copying stays amortised linear.
    private mutating func compact() {
        let droppable = max(0, min(cursor.released, cursor.position - 2))
        guard droppable > 0, droppable >= buffer.count - droppable else { return }
        buffer.removeSubrange(0..<droppable)
        cursor.shift(by: droppable)
    }
}

/// The scan state of a ``StreamingRedactor`` between calls; indices are into its buffer.
struct PIIStreamCursor: Sendable {
    /// The next byte to decide on (in a continuation: the end of the confirmed match).
    private(set) var position = 0
    /// Bytes before this index have been written out or swallowed.
    private(set) var released = 0
    /// An open-ended match in progress.
    private var continuation: PIIContinuation?
    /// The next byte to feed to the continuation (beyond `position` by any tentative bytes).
    private var probe = 0
    /// A pending decision at `position` is retried once this many bytes from it are available.
    private var retryAvailable = 0

    mutating func shift(by count: Int) {
        position -= count
        released -= count
        probe = max(0, probe - count)
    }

    mutating func advance(
        over bytes: UnsafeBufferPointer<UInt8>,
        detectors: PIIDetectorSet,
        isFinal: Bool,
        output: inout [UInt8],
        counts: inout RedactionCounts
    ) {
        while true {
            if continuation != nil {
                guard swallow(bytes, isFinal: isFinal) else { break }
                continue
            }
            guard position < bytes.count else { break }
            let previous = position > 0 ? bytes[position - 1] : nil
            guard PIIDetectorSet.mayStart(bytes[position], after: previous) else {
                position += 1
                continue
            }
            let available = bytes.count - position
            if !isFinal, available < retryAvailable { break }
            let window = PIIScanWindow(bytes: bytes, start: position, availableEnd: bytes.count, isFinal: isFinal)
            let found: PIIMatch?
            do {
                found = try detectors.match(in: window)
            } catch {
                retryAvailable = Self.retryThreshold(after: available)
                break
            }
            retryAvailable = 0
            guard let found else {
                position += 1
                continue
            }
            emit(found, from: bytes, detectors: detectors, output: &output, counts: &counts)
        }
        let releasable = isFinal ? position : UTF8Tail.completePrefixEnd(bytes, from: released, to: position)
        output.append(contentsOf: bytes[released..<releasable])
        released = releasable
    }

    private mutating func emit(
        _ found: PIIMatch,
        from bytes: UnsafeBufferPointer<UInt8>,
        detectors: PIIDetectorSet,
        output: inout [UInt8],
        counts: inout RedactionCounts
    ) {
        output.append(contentsOf: bytes[released..<position])
        output.append(contentsOf: detectors.rules.replacement(for: found.kind))
        counts.record(found.kind)
        position += found.length
        released = position
        if let next = found.continuation {
            continuation = next
            probe = position
        }
    }

    /// Feeds bytes to the open-ended match; returns false if it is still open and needs more input.
    private mutating func swallow(_ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool) -> Bool {
        guard var state = continuation else { return true }
        var index = probe
        while index < bytes.count {
            switch state.step(bytes[index]) {
            case .consume:
                index += 1
                position = index
                released = index
            case .consumeLast:
                position = index + 1
                released = position
                continuation = nil
                return true
            case .tentative:
                index += 1
            case .stop:
                continuation = nil
                return true
            }
        }
        if isFinal {
            continuation = nil
            return true
        }
        continuation = state
        probe = index
        return false
    }

    /// When to retry a decision that needed more than `available` bytes: once 1/64 as many new
    /// bytes have arrived (at least one). A retry rereads at most `available` bytes, so this caps
    /// the rereading at 64 bytes per byte received, and delays a release by at most 3 bytes
    /// (`available` is below 255).
    static func retryThreshold(after available: Int) -> Int {
        min(available + max(1, available / 64), PIIScanWindow.lookahead)
    }
}
