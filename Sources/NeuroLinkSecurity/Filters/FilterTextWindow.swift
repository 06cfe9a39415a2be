/// Thrown when a filter decision needs a byte that has not arrived yet.
struct FilterNeedMoreInput: Error {}

/// The bytes around one content filter position, read as Unicode scalars.
///
/// The text is a sequence of units: a well-formed UTF-8 sequence is one unit (its scalar), and
/// every byte that is not part of one is a unit of its own (read as U+FFFD, but passed through
/// unchanged). Positions are unit starts, found left to right, so whole-text and streaming scans
/// agree on them. As with ``PIIScanWindow``, a read past the bytes received so far throws unless
/// the text is final.
struct FilterTextWindow {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The position being decided (a unit start).
    let start: Int
    /// One past the last byte received.
    let availableEnd: Int
    let isFinal: Bool

    /// The unit at `index`, or nil at the end of the text.
    func unit(at index: Int) throws(FilterNeedMoreInput) -> (scalar: Unicode.Scalar, length: Int)? {
        guard index < availableEnd else {
            if isFinal { return nil }
            throw FilterNeedMoreInput()
        }
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = UTF8Tail.sequenceLength(lead: lead)
        guard length > 1 else { return (Self.replacement, 1) }
        var value = UInt32(lead) & (0xFF >> UInt32(length + 1))
        for offset in 1..<length {
            guard index + offset < availableEnd else {
                if isFinal { return (Self.replacement, 1) }
                throw FilterNeedMoreInput()
            }
            let byte = bytes[index + offset]
            guard Self.isAllowed(byte, at: offset, after: lead) else { return (Self.replacement, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return (Self.replacement, 1) }
        return (scalar, length)
    }

    /// The length of the unit at `index` in a final window (1 past the end, never reached).
    func finalUnitLength(at index: Int) -> Int {
        ((try? unit(at: index)) ?? nil)?.length ?? 1
    }

    /// The scalar of the unit that ends at `start`, nil at the start of the text.
    ///
    /// A lead byte always starts a unit, so the unit before is the valid sequence ending exactly at
    /// `start` if there is one, else the single byte before it.
    var previousScalar: Unicode.Scalar? {
        guard start > 0 else { return nil }
        let last = bytes[start - 1]
        if last < 0x80 { return Unicode.Scalar(last) }
        guard last & 0xC0 == 0x80 else { return Self.replacement }
        for back in 2...4 where start - back >= 0 {
            let lead = bytes[start - back]
            if lead & 0xC0 == 0x80 { continue }
            let window = FilterTextWindow(bytes: bytes, start: start - back, availableEnd: start, isFinal: true)
            guard let unit = (try? window.unit(at: start - back)) ?? nil, unit.length == back else { break }
            return unit.scalar
        }
        return Self.replacement
    }

    private static let replacement: Unicode.Scalar = "\u{FFFD}"

    /// Unicode's well-formed byte ranges: the second byte is narrowed after E0, ED, F0 and F4.
    private static func isAllowed(_ byte: UInt8, at offset: Int, after lead: UInt8) -> Bool {
        guard offset == 1 else { return byte & 0xC0 == 0x80 }
        switch lead {
        case 0xE0: return byte >= 0xA0 && byte <= 0xBF
        case 0xED: return byte >= 0x80 && byte <= 0x9F
        case 0xF0: return byte >= 0x90 && byte <= 0xBF
        case 0xF4: return byte >= 0x80 && byte <= 0x8F
        default: return byte & 0xC0 == 0x80
        }
    }
}
