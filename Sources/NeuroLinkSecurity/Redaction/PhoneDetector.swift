/// Telephone numbers in three shapes; the longest that fits wins.
///
/// - International (E.164): `+`, a country code digit 1–9, then digit groups joined by at most one
///   of space, `-`, `.`, with groups optionally in parentheses (`+44 (0)20 7946 0958`,
///   `+1 (555) 123-4567`, `+4915112345678`). The match is the longest prefix that ends at a group
///   and holds 8–15 digits; a first group of more than 15 digits is a longer number, not a phone.
/// - North American: `(555) 123-4567`, `(555)123-4567`, `555-123-4567`, `555.123.4567`,
///   `555 123 4567`, optionally led by `1` and the same separator (`1-800-555-0199`); one separator
///   kind throughout.
/// - Trunk-prefixed national (UK/EU): a first group of 2–5 digits starting with `0`, then groups of
///   2–8 digits joined by single spaces or single hyphens (one kind throughout), 9–11 digits in all
///   (`020 7946 0958`, `06 12 34 56 78`, `030-12345678`); with an `00` international prefix the
///   digits after it must number 8–15 (`0044 20 7946 0958`).
///
/// Number boundaries follow ``NumberBoundary``. Not matched by design: plain digit runs without
/// separators (except after `+`), dates, versions and times (wrong group shapes or digit counts).
/// Not caught: national formats other than those above (for example `(0)20…` without `+`, or
/// Asian groupings without a leading `0`), vanity numbers with letters, extensions (`x123`).
/// Over-matched: any 3-3-4 digit grouping, such as `100 200 3000`.
enum PhoneDetector {
    static let maximumE164Digits = 15

    /// The length of the longest phone number at the window's position, if any.
    static func match(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard let first = try window.byte(0) else { return nil }
        if first == PIIBytes.plus { return try international(window) }
        guard NumberBoundary.mayStart(window) else { return nil }
        let american = try northAmerican(window)
        guard first == UInt8(ascii: "0") else { return american }
        guard let trunk = try trunkPrefixed(window) else { return american }
        return max(trunk, american ?? 0)
    }

    @inline(__always)
    private static func isGroupSeparator(_ byte: UInt8?) -> Bool {
        byte == PIIBytes.space || byte == PIIBytes.hyphen || byte == PIIBytes.dot
    }

    // MARK: International

    private static func international(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        let previous = window.previous
        guard !PIIBytes.isWord(previous), previous != PIIBytes.plus else { return nil }
        guard let countryDigit = try window.byte(1), PIIBytes.isDigit(countryDigit), countryDigit != UInt8(ascii: "0")
        else { return nil }
        var offset = 1
        var digits = 0
        var best: Int?
        while true {
            guard let group = try internationalGroup(window, at: offset) else { break }
            digits += group.digits
            offset = group.end
            if digits > maximumE164Digits { break }
            if digits >= 8, try !PIIBytes.isWord(window.byte(offset)) { best = offset }
            guard let next = try nextGroupStart(window, after: offset) else { break }
            offset = next
        }
        return best
    }

    /// A digit group at `offset`, bare or in parentheses: its digit count and end.
    private static func internationalGroup(
        _ window: PIIScanWindow,
        at offset: Int
    ) throws(PIINeedMoreInput) -> (digits: Int, end: Int)? {
        let limit = maximumE164Digits + 1
        if try window.byte(offset) == PIIBytes.openParenthesis {
            let count = try NumberBoundary.digitRun(window, at: offset + 1, limit: 5)
            guard count >= 1, count <= 4, try window.byte(offset + 1 + count) == PIIBytes.closeParenthesis else {
                return nil
            }
            return (count, offset + count + 2)
        }
        let count = try NumberBoundary.digitRun(window, at: offset, limit: limit)
        return count >= 1 ? (count, offset + count) : nil
    }

    /// Where the next group starts after a group ending at `offset`, if the number goes on.
    private static func nextGroupStart(_ window: PIIScanWindow, after offset: Int) throws(PIINeedMoreInput) -> Int? {
        let next = try window.byte(offset)
        if next == PIIBytes.openParenthesis || PIIBytes.isDigit(next) { return offset }
        guard isGroupSeparator(next) else { return nil }
        let afterSeparator = try window.byte(offset + 1)
        guard PIIBytes.isDigit(afterSeparator) || afterSeparator == PIIBytes.openParenthesis else { return nil }
        return offset + 1
    }

    // MARK: North American

    private static func northAmerican(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        let end: Int?
        if try window.byte(0) == PIIBytes.openParenthesis {
            end = try parenthesizedAreaCode(window)
        } else if let prefixed = try countryCodeOne(window) {
            end = prefixed
        } else {
            end = try threeThreeFour(window, at: 0, separator: nil)
        }
        guard let end, try NumberBoundary.isComplete(window, at: end, continuedBy: NumberBoundary.isJoiner) else {
            return nil
        }
        return end
    }

    /// `(555) 123-4567` and `(555)123-4567`.
    private static func parenthesizedAreaCode(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard try NumberBoundary.digitRun(window, at: 1, limit: 4) == 3,
            try window.byte(4) == PIIBytes.closeParenthesis
        else { return nil }
        let exchange = try window.byte(5) == PIIBytes.space ? 6 : 5
        guard try NumberBoundary.digitRun(window, at: exchange, limit: 4) == 3 else { return nil }
        let separator = try window.byte(exchange + 3)
        guard isGroupSeparator(separator), try NumberBoundary.digitRun(window, at: exchange + 4, limit: 5) == 4 else {
            return nil
        }
        return exchange + 8
    }

    /// `1-800-555-0199`: a leading 1 and the same separator as the rest.
    private static func countryCodeOne(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard try window.byte(0) == UInt8(ascii: "1"), let separator = try window.byte(1), isGroupSeparator(separator)
        else { return nil }
        return try threeThreeFour(window, at: 2, separator: separator)
    }

    /// `555-123-4567` at `offset`, with `separator` if given, else the first one found.
    private static func threeThreeFour(
        _ window: PIIScanWindow,
        at offset: Int,
        separator expected: UInt8?
    ) throws(PIINeedMoreInput) -> Int? {
        guard try NumberBoundary.digitRun(window, at: offset, limit: 4) == 3,
            let separator = try window.byte(offset + 3), isGroupSeparator(separator),
            expected == nil || expected == separator,
            try NumberBoundary.digitRun(window, at: offset + 4, limit: 4) == 3,
            try window.byte(offset + 7) == separator,
            try NumberBoundary.digitRun(window, at: offset + 8, limit: 5) == 4
        else { return nil }
        return offset + 12
    }

    // MARK: Trunk-prefixed national

    private static func trunkPrefixed(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        let firstGroup = try NumberBoundary.digitRun(window, at: 0, limit: 6)
        guard firstGroup >= 2, firstGroup <= 5, let separator = try window.byte(firstGroup),
            separator == PIIBytes.space || separator == PIIBytes.hyphen
        else { return nil }
        let isInternational = try window.byte(1) == UInt8(ascii: "0")
        var end = firstGroup
        var digits = firstGroup
        var best: Int?
        while try window.byte(end) == separator {
            let group = try NumberBoundary.digitRun(window, at: end + 1, limit: 9)
            guard group >= 2, group <= 8,
                try NumberBoundary.isComplete(window, at: end + 1 + group, continuedBy: NumberBoundary.isDecimalMark)
            else { break }
            digits += group
            end += 1 + group
            if isInternational ? (10...17).contains(digits) : (9...11).contains(digits) {
                best = end
            }
            if digits > 17 { break }
        }
        return best
    }
}
