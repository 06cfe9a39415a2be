/// Payment card numbers: 13–19 digits that pass the Luhn check and start with a known issuer prefix
/// whose networks use that length.
///
/// Written either as one run of 13–19 digits, or as groups of 3–6 digits joined by single spaces or
/// single hyphens (one kind throughout: `4111 1111 1111 1111`, `3782-822463-10005`). For grouped
/// numbers the match is the longest run of whole groups that is a valid card, so a card followed by
/// another short number (`… 1111 55`) is still caught. Number boundaries follow
/// ``NumberBoundary``; a digit run longer than 19 is never cut into a card.
///
/// Not caught: issuers outside ``issuerRanges`` (for example RuPay, Verve, Troy), 12-digit
/// Maestro cards, numbers grouped with other separators (`.`, `/`) or with double spaces.
enum CardDetector {
    /// An issuer identification number range: the first `prefixDigits` digits lie in `low...high`,
    /// and the card has one of the lengths in `lengths` (a bit set: bit n means length n).
    struct IssuerRange {
        let prefixDigits: Int
        let low: Int
        let high: Int
        let lengths: UInt32
    }

    private static func lengths(_ range: ClosedRange<Int>) -> UInt32 {
        range.reduce(0) { $0 | 1 << UInt32($1) }
    }

    /// Visa, Mastercard, American Express, Discover, Diners Club, JCB, UnionPay, Maestro, Mir.
    static let issuerRanges: [IssuerRange] = [
        IssuerRange(prefixDigits: 1, low: 4, high: 4, lengths: 1 << 13 | 1 << 16 | 1 << 19),
        IssuerRange(prefixDigits: 2, low: 51, high: 55, lengths: 1 << 16),
        IssuerRange(prefixDigits: 4, low: 2221, high: 2720, lengths: 1 << 16),
        IssuerRange(prefixDigits: 2, low: 34, high: 34, lengths: 1 << 15),
        IssuerRange(prefixDigits: 2, low: 37, high: 37, lengths: 1 << 15),
        IssuerRange(prefixDigits: 4, low: 6011, high: 6011, lengths: lengths(16...19)),
        IssuerRange(prefixDigits: 3, low: 644, high: 649, lengths: lengths(16...19)),
        IssuerRange(prefixDigits: 2, low: 65, high: 65, lengths: lengths(16...19)),
        IssuerRange(prefixDigits: 3, low: 300, high: 305, lengths: lengths(14...19)),
        IssuerRange(prefixDigits: 2, low: 36, high: 36, lengths: lengths(14...19)),
        IssuerRange(prefixDigits: 2, low: 38, high: 39, lengths: lengths(14...19)),
        IssuerRange(prefixDigits: 4, low: 3528, high: 3589, lengths: lengths(16...19)),
        IssuerRange(prefixDigits: 2, low: 62, high: 62, lengths: lengths(16...19)),
        IssuerRange(prefixDigits: 2, low: 50, high: 50, lengths: lengths(13...19)),
        IssuerRange(prefixDigits: 2, low: 56, high: 58, lengths: lengths(13...19)),
        IssuerRange(prefixDigits: 4, low: 6304, high: 6304, lengths: lengths(13...19)),
        IssuerRange(prefixDigits: 4, low: 6759, high: 6759, lengths: lengths(13...19)),
        IssuerRange(prefixDigits: 4, low: 6761, high: 6763, lengths: lengths(13...19)),
        IssuerRange(prefixDigits: 4, low: 2200, high: 2204, lengths: lengths(16...19)),
    ]

    static let minimumDigits = 13
    static let maximumDigits = 19

    /// The length of the card number at the window's position, if there is one.
    static func match(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard NumberBoundary.mayStart(window) else { return nil }
        let firstRun = try NumberBoundary.digitRun(window, at: 0, limit: maximumDigits + 1)
        if firstRun >= minimumDigits {
            guard firstRun <= maximumDigits,
                try NumberBoundary.isComplete(window, at: firstRun, continuedBy: NumberBoundary.isDecimalMark),
                try isValid(window, end: firstRun)
            else { return nil }
            return firstRun
        }
        guard firstRun >= 3, firstRun <= 6, let separator = try window.byte(firstRun),
            separator == PIIBytes.space || separator == PIIBytes.hyphen
        else { return nil }
        return try groupedEnd(window, firstGroup: firstRun, separator: separator)
    }

    /// The end of the longest run of whole groups that is a valid card.
    private static func groupedEnd(
        _ window: PIIScanWindow,
        firstGroup: Int,
        separator: UInt8
    ) throws(PIINeedMoreInput) -> Int? {
        var end = firstGroup
        var digits = firstGroup
        var best: Int?
        while try window.byte(end) == separator {
            let group = try NumberBoundary.digitRun(window, at: end + 1, limit: 7)
            guard group >= 3, group <= 6,
                try NumberBoundary.isComplete(window, at: end + 1 + group, continuedBy: NumberBoundary.isDecimalMark)
            else { break }
            digits += group
            end += 1 + group
            if digits > maximumDigits { break }
            if digits >= minimumDigits, try isValid(window, end: end) { best = end }
        }
        return best
    }

    /// Whether the digits in `0..<end` (separators skipped) form a card number.
    private static func isValid(_ window: PIIScanWindow, end: Int) throws(PIINeedMoreInput) -> Bool {
        var digitCount = 0
        var luhnSum = 0
        // Luhn runs from the last digit: every second digit from the right is doubled.
        var offset = end - 1
        while offset >= 0 {
            if let byte = try window.byte(offset), PIIBytes.isDigit(byte) {
                var value = PIIBytes.digitValue(byte)
                if digitCount % 2 == 1 {
                    value *= 2
                    if value > 9 { value -= 9 }
                }
                luhnSum += value
                digitCount += 1
            }
            offset -= 1
        }
        guard luhnSum % 10 == 0 else { return false }
        let prefix = try leadingDigits(window, end: end, count: 6)
        return hasKnownIssuer(prefixOfSix: prefix, length: digitCount)
    }

    /// The number formed by the first `count` digits before `end`, separators skipped.
    private static func leadingDigits(_ window: PIIScanWindow, end: Int, count: Int) throws(PIINeedMoreInput) -> Int {
        var value = 0
        var taken = 0
        var offset = 0
        while taken < count, offset < end {
            if let byte = try window.byte(offset), PIIBytes.isDigit(byte) {
                value = value * 10 + PIIBytes.digitValue(byte)
                taken += 1
            }
            offset += 1
        }
        return value
    }

    static func hasKnownIssuer(prefixOfSix: Int, length: Int) -> Bool {
        let lengthBit: UInt32 = 1 << UInt32(length)
        for range in issuerRanges where range.lengths & lengthBit != 0 {
            var prefix = prefixOfSix
            for _ in range.prefixDigits..<6 {
                prefix /= 10
            }
            if prefix >= range.low, prefix <= range.high { return true }
        }
        return false
    }
}
