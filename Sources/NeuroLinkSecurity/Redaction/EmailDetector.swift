/// E-mail addresses: `local@domain.tld`, ASCII only.
///
/// - The local part is a run of 1–64 bytes of `A–Z a–z 0–9 . _ % + -`, not starting with `.`, and
///   not preceded by one of those bytes or `@`: a match always takes the whole token, so in
///   `xfoo@bar.comx` the whole `xfoo@bar.comx` is the address, never `foo@bar.com` inside it.
/// - The domain is labels of 1–63 `A–Z a–z 0–9 -` (no `-` at either end) joined by single dots;
///   the match ends after the longest run of at least two labels whose last label is all letters
///   and at least two long (the TLD), with at most 254 bytes in all. Text after that (a sentence's
///   full stop, `_x`, a further label that is not a TLD) is left as it is.
///
/// Not caught: quoted local parts and the rarer RFC 5322 symbols (`!#$&'*/=?^{|}~`), IP-literal
/// and single-label domains (`user@localhost`), internationalised addresses, punycode TLDs
/// (`xn--…`), addresses longer than 254 bytes.
enum EmailDetector {
    static let maximumLocalLength = 64
    static let maximumLength = 254
    static let maximumLabelLength = 63

    @inline(__always)
    static func isLocalByte(_ byte: UInt8?) -> Bool {
        switch byte {
        case PIIBytes.dot, PIIBytes.underscore, PIIBytes.percent, PIIBytes.plus, PIIBytes.hyphen: true
        default: PIIBytes.isAlphanumeric(byte)
        }
    }

    @inline(__always)
    static func isLabelByte(_ byte: UInt8?) -> Bool {
        PIIBytes.isAlphanumeric(byte) || byte == PIIBytes.hyphen
    }

    /// The length of the address starting at the window's position, if there is one.
    static func match(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        let previous = window.previous
        guard !isLocalByte(previous), previous != PIIBytes.at else { return nil }
        guard try window.byte(0) != PIIBytes.dot else { return nil }
        let localLength = try window.run(from: 0, limit: maximumLocalLength + 1, while: isLocalByte)
        guard localLength >= 1, localLength <= maximumLocalLength else { return nil }
        guard try window.byte(localLength) == PIIBytes.at else { return nil }
        return try domainEnd(window, from: localLength + 1)
    }

    /// The end of the longest valid domain starting at `start`, if any.
    private static func domainEnd(_ window: PIIScanWindow, from start: Int) throws(PIINeedMoreInput) -> Int? {
        var labelStart = start
        var labelCount = 0
        var best: Int?
        while true {
            let limit = min(maximumLabelLength + 1, maximumLength - labelStart + 1)
            let length = try window.run(from: labelStart, limit: limit, while: isLabelByte)
            let labelEnd = labelStart + length
            guard length >= 1, length <= maximumLabelLength, labelEnd <= maximumLength else { return best }
            guard try window.byte(labelStart) != PIIBytes.hyphen, try window.byte(labelEnd - 1) != PIIBytes.hyphen
            else { return best }
            labelCount += 1
            if labelCount >= 2, length >= 2, try isAllLetters(window, from: labelStart, count: length) {
                best = labelEnd
            }
            // Another label needs a dot and at least one byte within the maximum length; not
            // looking further keeps every read below offset 255.
            guard labelEnd + 2 <= maximumLength, try window.byte(labelEnd) == PIIBytes.dot,
                isLabelByte(try window.byte(labelEnd + 1))
            else { return best }
            labelStart = labelEnd + 1
        }
    }

    private static func isAllLetters(
        _ window: PIIScanWindow,
        from offset: Int,
        count: Int
    ) throws(PIINeedMoreInput) -> Bool {
        for index in offset..<(offset + count) where !PIIBytes.isLetter(try window.byte(index)) {
            return false
        }
        return true
    }
}
