/// How an open-ended match goes on after the prefix that proved it.
///
/// A small state machine fed one byte at a time. The whole-text ``Redactor`` and the
/// ``StreamingRedactor`` both run it byte by byte, so they agree on where the match ends whatever
/// the chunking; the streaming side keeps only this state (and at most one tentative byte), never
/// the swallowed text.
struct PIIContinuation: Sendable {
    enum Kind: Sendable {
        /// Every following byte that satisfies the alphabet.
        case run(Alphabet)
        /// The rest of a JWT: base64url bytes and dots followed by a base64url byte.
        case jsonWebToken
        /// Everything up to and including the first `PRIVATE KEY-----`.
        case privateKeyBlock
    }

    enum Alphabet: Sendable {
        case base64URL
        case alphanumeric
        case word
    }

    /// What a byte does to the match.
    enum Step {
        /// The byte, and any tentative bytes before it, belong to the match.
        case consume
        /// As `consume`, and the match ends after this byte.
        case consumeLast
        /// The byte belongs to the match only if a later byte is consumed.
        case tentative
        /// The match ended before this byte (and before any tentative bytes).
        case stop
    }

    /// A JWT has at most five segments (encrypted form); the proven prefix already holds one dot.
    static let maximumTokenDots = 4
    /// The END line's tail. Its first byte occurs nowhere else in it, so after a mismatch the
    /// search restarts at 0 (or 1 if the byte is that first byte): a full KMP table is not needed.
    private static let endMarker: StaticString = "PRIVATE KEY-----"

    let kind: Kind
    private var dots = 1
    private var hasPendingDot = false
    private var endMarkerProgress = 0

    init(_ kind: Kind) {
        self.kind = kind
    }

    mutating func step(_ byte: UInt8) -> Step {
        switch kind {
        case .run(let alphabet):
            return Self.contains(alphabet, byte) ? .consume : .stop
        case .jsonWebToken:
            return stepToken(byte)
        case .privateKeyBlock:
            return stepBlock(byte)
        }
    }

    private static func contains(_ alphabet: Alphabet, _ byte: UInt8) -> Bool {
        switch alphabet {
        case .base64URL: PIIBytes.isBase64URL(byte)
        case .alphanumeric: PIIBytes.isAlphanumeric(byte)
        case .word: PIIBytes.isWord(byte)
        }
    }

    private mutating func stepToken(_ byte: UInt8) -> Step {
        if hasPendingDot {
            guard PIIBytes.isBase64URL(byte) else { return .stop }
            hasPendingDot = false
            dots += 1
            return .consume
        }
        if PIIBytes.isBase64URL(byte) { return .consume }
        if byte == PIIBytes.dot, dots < Self.maximumTokenDots {
            hasPendingDot = true
            return .tentative
        }
        return .stop
    }

    private mutating func stepBlock(_ byte: UInt8) -> Step {
        let marker = Self.endMarker.utf8Start
        if byte == marker[endMarkerProgress] {
            endMarkerProgress += 1
        } else {
            endMarkerProgress = byte == marker[0] ? 1 : 0
        }
        return endMarkerProgress == Self.endMarker.utf8CodeUnitCount ? .consumeLast : .consume
    }

    /// Runs the continuation over `bytes[from...]` (the whole rest of a text) and returns where the
    /// match ends.
    mutating func end(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var confirmedEnd = start
        var index = start
        while index < bytes.count {
            switch step(bytes[index]) {
            case .consume:
                index += 1
                confirmedEnd = index
            case .consumeLast:
                return index + 1
            case .tentative:
                index += 1
            case .stop:
                return confirmedEnd
            }
        }
        return confirmedEnd
    }
}
