#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only reader over one JSON document, for the stream decoders' fast paths.
///
/// The fast paths read the few common event shapes (a text delta, mostly) without `JSONDecoder`
/// and hand everything else back to it, so this reader accepts only what it can read exactly and
/// declines (throws ``Decline``) anything else: it never guesses. It is stricter than
/// `JSONDecoder`, which skips unknown values unchecked: every byte is checked against RFC 8259,
/// including values the caller skips — escapes, `\u` surrogates in pairs, no raw control
/// characters in strings, well-formed UTF-8 — and nesting deeper than ``maxDepth`` declines too
/// (`JSONDecoder` gives up at 512). So whatever it accepts, `JSONDecoder` accepts as well.
///
/// It allocates nothing but the strings it is asked to build.
struct JSONFastScanner {
    /// The input is not one the fast path reads; the caller falls back to the full decoder.
    struct Decline: Error {}

    /// Where a key or a string's content lies in the input (without its quotes).
    struct Span {
        fileprivate let start: Int
        fileprivate let end: Int
    }

    /// Deepest nesting accepted, the top-level object counting 1. The common events nest 6 deep
    /// (a Gemini part); deeper input is left to the full decoder rather than recursed into here.
    static let maxDepth = 32

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0
    /// The last token read was `{` or `[`: the next may close it, and no `,` is due before a value.
    private var justOpened = false

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: - Structure

    /// Reads `{`; its members follow through ``nextKey()``.
    mutating func beginObject() throws(Decline) {
        try open(UInt8(ascii: "{"))
    }

    /// Reads `[`; its elements follow through ``nextElement()``.
    mutating func beginArray() throws(Decline) {
        try open(UInt8(ascii: "["))
    }

    /// The next member's key, with its `:` read (the value is the caller's to read next), or nil
    /// once the object's `}` has been read.
    ///
    /// A key with an escape or a byte outside ASCII declines: `JSONDecoder` unescapes keys and
    /// compares them by canonical equivalence (`"\u212A"`, the Kelvin sign, is the key `"K"`), so
    /// only plain ASCII keys can be told apart by their bytes.
    mutating func nextKey() throws(Decline) -> Span? {
        guard try nextMember(closing: UInt8(ascii: "}")) else { return nil }
        let key = try scanString()
        guard !key.hasEscapes, key.isASCII else { throw Decline() }
        try expect(UInt8(ascii: ":"))
        return key.span
    }

    /// Whether another element follows (the caller reads it next); false once `]` has been read.
    mutating func nextElement() throws(Decline) -> Bool {
        try nextMember(closing: UInt8(ascii: "]"))
    }

    /// Whether `key`'s bytes are `name`'s.
    func key(_ key: Span, is name: StaticString) -> Bool {
        matches(key, name)
    }

    /// Reads the end of the document: only whitespace may follow the top-level value.
    mutating func end() throws(Decline) {
        skipWhitespace()
        guard position == bytes.count else { throw Decline() }
    }

    // MARK: - Values

    /// Whether the next value is `null`, which is then read; any other value is left unread.
    mutating func readNull() throws(Decline) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    /// Reads `null` and declines anything else: for fields whose other values only the full
    /// decoder handles (usage, errors, finish reasons, tool calls).
    mutating func expectNull() throws(Decline) {
        guard try readNull() else { throw Decline() }
    }

    /// A string, or nil for `null`, as `decodeIfPresent(String.self, forKey:)` gives it; any
    /// other value declines.
    mutating func readOptionalString() throws(Decline) -> String? {
        if try readNull() { return nil }
        return makeString(try scanString())
    }

    /// As ``readOptionalString()``, with where the string lay in the input, its quotes included.
    mutating func readOptionalQuotedString() throws(Decline) -> (value: String, quoted: Range<Int>)? {
        if try readNull() { return nil }
        let start = peekPosition()
        let value = makeString(try scanString())
        return (value, start..<position)
    }

    /// The string whose opening quote is at `start` in `bytes`, read as ``readOptionalString()``
    /// reads one, when its closing quote is the last byte before `end`; nil otherwise.
    static func string(in bytes: UnsafeBufferPointer<UInt8>, quotedFrom start: Int, to end: Int) -> String? {
        var scanner = JSONFastScanner(bytes)
        scanner.position = start
        guard let scanned = try? scanner.scanString(), scanner.position == end else { return nil }
        return scanner.makeString(scanned)
    }

    /// As ``readOptionalString()``, but without `building` the string is only checked, and nil.
    mutating func readOptionalString(building: Bool) throws(Decline) -> String? {
        if try readNull() { return nil }
        let scanned = try scanString()
        return building ? makeString(scanned) : nil
    }

    /// A token count as ``TokenCount`` decodes it, for the plain integers servers send; `null` is
    /// nil, any other number declines.
    mutating func readOptionalTokenCount() throws(Decline) -> TokenCount? {
        if try readNull() { return nil }
        return TokenCount(try readPlainInteger())
    }

    /// `true`, `false`, or nil for `null`; any other value declines (`JSONDecoder` reads no
    /// number or string as a `Bool`).
    mutating func readOptionalBool() throws(Decline) -> Bool? {
        switch peek() {
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return false
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return nil
        default:
            throw Decline()
        }
    }

    /// A string without escapes, all ASCII, as it lies in the input: for comparing a `type` with
    /// ``matches(_:_:)``. Other strings, and other values, decline.
    mutating func readPlainString() throws(Decline) -> Span {
        let string = try scanString()
        guard !string.hasEscapes, string.isASCII else { throw Decline() }
        return string.span
    }

    /// Whether `span`'s bytes are `literal`'s.
    func matches(_ span: Span, _ literal: StaticString) -> Bool {
        let count = span.end - span.start
        guard count == literal.utf8CodeUnitCount else { return false }
        guard count > 0 else { return true }
        return literal.withUTF8Buffer { name in
            guard let base = bytes.baseAddress, let name = name.baseAddress else { return false }
            return memcmp(base + span.start, name, count) == 0
        }
    }

    /// A non-negative integer written plainly: `0` or up to 18 digits without a leading zero, so
    /// it fits an `Int` and `decode(Int.self, forKey:)` reads the same number. Signs, fractions,
    /// exponents and longer numbers decline (`JSONDecoder` reads some of them, `1.0` as 1).
    mutating func readPlainInteger() throws(Decline) -> Int {
        let start = peekPosition()
        guard let first = digit(at: start) else { throw Decline() }
        var value = first
        position = start + 1
        if first != 0 {
            while let next = digit(at: position) {
                guard position - start < 18 else { throw Decline() }
                value = value * 10 + next
                position += 1
            }
        }
        // A fraction, an exponent or a digit after a leading zero makes some other number.
        if position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                throw Decline()
            default:
                break
            }
        }
        return value
    }

    /// Reads and checks any value, of any type, without keeping it.
    mutating func skipValue() throws(Decline) {
        switch peek() {
        case UInt8(ascii: "{"):
            try beginObject()
            while try nextMember(closing: UInt8(ascii: "}")) {
                // Keys of skipped objects are never compared, so any well-formed string will do.
                _ = try scanString()
                try expect(UInt8(ascii: ":"))
                try skipValue()
            }
        case UInt8(ascii: "["):
            try beginArray()
            while try nextElement() { try skipValue() }
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
        case UInt8(ascii: "f"):
            try expectLiteral("false")
        case UInt8(ascii: "n"):
            try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        default:
            throw Decline()
        }
    }

    // MARK: - Tokens

    private mutating func open(_ bracket: UInt8) throws(Decline) {
        guard peek() == bracket, depth < Self.maxDepth else { throw Decline() }
        position += 1
        depth += 1
        justOpened = true
    }

    /// Reads the `,` before the next member or element, or the `closing` bracket (false).
    private mutating func nextMember(closing: UInt8) throws(Decline) -> Bool {
        let byte = peek()
        if byte == closing {
            position += 1
            depth -= 1
            justOpened = false
            return false
        }
        if justOpened {
            justOpened = false
        } else {
            guard byte == UInt8(ascii: ",") else { throw Decline() }
            position += 1
        }
        return true
    }

    private mutating func expect(_ byte: UInt8) throws(Decline) {
        guard peek() == byte else { throw Decline() }
        position += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Decline) {
        let start = peekPosition()
        let count = literal.utf8CodeUnitCount
        guard start + count <= bytes.count, matches(Span(start: start, end: start + count), literal) else {
            throw Decline()
        }
        position = start + count
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; whatever follows is the caller's.
    private mutating func skipNumber() throws(Decline) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = digit(at: position) else { throw Decline() }
        position += 1
        if first != 0 { skipDigits() }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            try skipRequiredDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            try skipRequiredDigits()
        }
    }

    private mutating func skipRequiredDigits() throws(Decline) {
        guard digit(at: position) != nil else { throw Decline() }
        skipDigits()
    }

    private mutating func skipDigits() {
        while digit(at: position) != nil { position += 1 }
    }

    private func digit(at index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        let byte = bytes[index]
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        return Int(byte - UInt8(ascii: "0"))
    }

    /// The next byte after whitespace (which is skipped), or 0 at the end: a byte no caller
    /// expects, since a raw NUL is valid nowhere outside a string.
    private mutating func peek() -> UInt8 {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : 0
    }

    private mutating func peekPosition() -> Int {
        skipWhitespace()
        return position
    }

    /// JSON's four whitespace bytes, and no others (`JSONDecoder` rejects form feeds and NBSPs).
    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    // MARK: - Strings

    private struct ScannedString {
        var span: Span
        var hasEscapes: Bool
        var isASCII: Bool
    }

    /// Reads a string from its opening quote past its closing one, checking what lies between:
    /// no raw control characters, only JSON's escapes, `\u` surrogates only as a high-low pair,
    /// and well-formed UTF-8 (`JSONDecoder` rejects what breaks any of these in a string it
    /// decodes; a lone surrogate is left to it to report).
    private mutating func scanString() throws(Decline) -> ScannedString {
        guard peek() == UInt8(ascii: "\"") else { throw Decline() }
        position += 1
        let start = position
        var hasEscapes = false
        var isASCII = true
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                let span = Span(start: start, end: position)
                position += 1
                return ScannedString(span: span, hasEscapes: hasEscapes, isASCII: isASCII)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try scanEscape()
            case 0x00..<0x20:
                throw Decline()
            case 0x20..<0x80:
                position += 1
            default:
                isASCII = false
                try scanUTF8Sequence()
            }
        }
        throw Decline()  // No closing quote: the input was cut.
    }

    /// Reads one escape, `position` being at its backslash; a high surrogate takes its low one.
    private mutating func scanEscape() throws(Decline) {
        guard position + 1 < bytes.count else { throw Decline() }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard let unit = Self.hex4(bytes, at: position + 2) else { throw Decline() }
            position += 6
            switch unit {
            case 0xD800...0xDBFF:
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u"),
                    let low = Self.hex4(bytes, at: position + 2), (0xDC00...0xDFFF).contains(low)
                else { throw Decline() }
                position += 6
            case 0xDC00...0xDFFF:
                throw Decline()
            default:
                break
            }
        default:
            throw Decline()
        }
    }

    /// Reads one multi-byte UTF-8 sequence, `position` being at its lead byte: the well-formed
    /// sequences of the Unicode Standard's table 3-7 (no overlong forms, no surrogates, nothing
    /// past U+10FFFF), as Swift's own validation accepts them.
    private mutating func scanUTF8Sequence() throws(Decline) {
        let length: Int
        var lowest: UInt8 = 0x80
        var highest: UInt8 = 0xBF
        switch bytes[position] {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, lowest) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, highest) = (3, 0x9F)
        case 0xF0: (length, lowest) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, highest) = (4, 0x8F)
        default: throw Decline()
        }
        guard position + length <= bytes.count else { throw Decline() }
        let second = bytes[position + 1]
        guard second >= lowest, second <= highest else { throw Decline() }
        for index in position + 2..<position + length where bytes[index] & 0xC0 != 0x80 {
            throw Decline()
        }
        position += length
    }

    /// The string `scanned` holds: its bytes as they are, or unescaped when it has escapes.
    private func makeString(_ scanned: ScannedString) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[scanned.span.start..<scanned.span.end])
        guard scanned.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        // Every escape is longer than the UTF-8 it stands for, so the raw length is enough room.
        return String(unsafeUninitializedCapacity: raw.count) { Self.unescape(raw, into: $0) }
    }

    /// Writes `raw` (checked by ``scanString()``) unescaped to `output`; returns the length.
    private static func unescape(
        _ raw: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    )
        -> Int
    {
        var index = 0
        var count = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.count else {
                output[count] = byte
                count += 1
                index += 1
                continue
            }
            let kind = raw[index + 1]
            index += 2
            switch kind {
            case UInt8(ascii: "b"): output[count] = 0x08
            case UInt8(ascii: "f"): output[count] = 0x0C
            case UInt8(ascii: "n"): output[count] = 0x0A
            case UInt8(ascii: "r"): output[count] = 0x0D
            case UInt8(ascii: "t"): output[count] = 0x09
            case UInt8(ascii: "u"):
                // Checked already; U+FFFD only keeps this total, it cannot be reached.
                var scalar = hex4(raw, at: index) ?? 0xFFFD
                index += 4
                if (0xD800...0xDBFF).contains(scalar), let low = hex4(raw, at: index + 2) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                    index += 6
                }
                count += encodeUTF8(scalar, into: output, at: count)
                continue
            default: output[count] = kind  // `"`, `\` and `/` stand for themselves.
            }
            count += 1
        }
        return count
    }

    /// Writes `scalar` (at most U+10FFFF, not a surrogate) as UTF-8; returns its length.
    private static func encodeUTF8(
        _ scalar: UInt32,
        into output: UnsafeMutableBufferPointer<UInt8>,
        at index: Int
    )
        -> Int
    {
        switch scalar {
        case ..<0x80:
            output[index] = UInt8(scalar)
            return 1
        case ..<0x800:
            output[index] = 0xC0 | UInt8(scalar >> 6)
            output[index + 1] = 0x80 | UInt8(scalar & 0x3F)
            return 2
        case ..<0x10000:
            output[index] = 0xE0 | UInt8(scalar >> 12)
            output[index + 1] = 0x80 | UInt8(scalar >> 6 & 0x3F)
            output[index + 2] = 0x80 | UInt8(scalar & 0x3F)
            return 3
        default:
            output[index] = 0xF0 | UInt8(scalar >> 18 & 0x07)
            output[index + 1] = 0x80 | UInt8(scalar >> 12 & 0x3F)
            output[index + 2] = 0x80 | UInt8(scalar >> 6 & 0x3F)
            output[index + 3] = 0x80 | UInt8(scalar & 0x3F)
            return 4
        }
    }

    /// The value of the four hex digits at `index`, or nil when there are not four.
    private static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32? {
        guard index >= 0, index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }
}

/// The known keys of one object that have been read: a repeated one declines. `JSONDecoder`
/// keeps the first of two equal keys; the fast path does not depend on such details.
struct JSONSeenKeys<Field: RawRepresentable> where Field.RawValue == Int {
    private var bits: UInt64 = 0

    /// Records `field`, declining when it was read before in the same object.
    mutating func insert(_ field: Field) throws(JSONFastScanner.Decline) {
        let bit: UInt64 = 1 << UInt64(field.rawValue & 63)
        guard bits & bit == 0 else { throw JSONFastScanner.Decline() }
        bits |= bit
    }

    /// Whether `field` was read.
    func contains(_ field: Field) -> Bool {
        bits & 1 << UInt64(field.rawValue & 63) != 0
    }
}
