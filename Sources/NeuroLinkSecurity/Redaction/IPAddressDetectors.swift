/// IPv4 addresses: four dot-separated decimal octets of 1–3 digits, each at most 255.
///
/// Number boundaries follow ``NumberBoundary``, except that a following `:port` or `/prefix` is
/// allowed (`10.0.0.1:8080`, `10.0.0.0/8` redact the address); a fifth `.digit` is not
/// (`1.2.3.4.5` is no address). Not caught: shortened or non-decimal forms (`127.1`, `0x7f.1`).
/// Four-part version strings (`1.2.3.4`) are indistinguishable from addresses and are redacted.
enum IPv4Detector {
    /// The length of the address at the window's position, if there is one.
    static func match(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard NumberBoundary.mayStart(window), let end = try dottedQuadEnd(window, at: 0) else { return nil }
        return end
    }

    /// The end of a dotted quad starting at `offset`, checked for what follows it.
    static func dottedQuadEnd(_ window: PIIScanWindow, at offset: Int) throws(PIINeedMoreInput) -> Int? {
        var end = offset
        for octet in 0..<4 {
            if octet > 0 {
                guard try window.byte(end) == PIIBytes.dot else { return nil }
                end += 1
            }
            let digits = try NumberBoundary.digitRun(window, at: end, limit: 4)
            guard digits >= 1, digits <= 3, try NumberBoundary.value(window, at: end, count: digits) <= 255 else {
                return nil
            }
            end += digits
        }
        let next = try window.byte(end)
        guard !PIIBytes.isWord(next) else { return nil }
        if next == PIIBytes.dot, PIIBytes.isDigit(try window.byte(end + 1)) { return nil }
        return end
    }
}

/// IPv6 addresses, full (`2001:0db8:0000:0000:0000:ff00:0042:8329`) or `::`-compressed
/// (`2001:db8::8a2e:370:7334`, `::1`, `fe80::`), optionally ending in a dotted quad
/// (`::ffff:192.0.2.1`).
///
/// Groups are 1–4 hex digits; without `::` there must be exactly eight, with it at most seven.
/// The address must hold at least one group and at least one decimal digit, which keeps out a
/// lone `::`, times (`12:30:45` has three groups), MAC addresses (six groups) and code such as
/// `std::vector` or `a::b`. It may not start after a letter, digit, `_`, `:` or `.`, nor be
/// followed by a letter, digit, `_`, `:` plus a hex digit, or `.` plus a digit.
///
/// Not caught: compressed addresses without a decimal digit (`dead::beef`); zone ids are left
/// (`fe80::1%eth0` redacts `fe80::1` only). Over-matched: text that is a valid compressed address
/// by syntax, such as `1::` in `Step 1:: do`.
enum IPv6Detector {
    static let maximumGroups = 8

    /// The length of the address at the window's position, if there is one.
    static func match(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        let previous = window.previous
        guard !PIIBytes.isWord(previous), previous != PIIBytes.colon, previous != PIIBytes.dot else { return nil }
        var parse = Parse()
        if try window.byte(0) == PIIBytes.colon {
            guard try window.byte(1) == PIIBytes.colon else { return nil }
            parse.isCompressed = true
            parse.end = 2
        }
        guard try parse.readGroups(window) else { return nil }
        let groupsValid = parse.isCompressed ? parse.groups <= maximumGroups - 1 : parse.groups == maximumGroups
        guard groupsValid, parse.groups >= 1, parse.sawDecimalDigit else { return nil }
        guard try isComplete(window, at: parse.end) else { return nil }
        return parse.end
    }

    private static func isComplete(_ window: PIIScanWindow, at offset: Int) throws(PIINeedMoreInput) -> Bool {
        let next = try window.byte(offset)
        if PIIBytes.isWord(next) { return false }
        let afterNext = try window.byte(offset + 1)
        if next == PIIBytes.colon {
            // `:hex` or `::` would continue the address, and `:::` is no address.
            if PIIBytes.isHexDigit(afterNext) || afterNext == PIIBytes.colon { return false }
            if offset >= 1, try window.byte(offset - 1) == PIIBytes.colon { return false }
        }
        return !(next == PIIBytes.dot && PIIBytes.isDigit(afterNext))
    }

    /// The state of a left-to-right parse of groups and colons.
    private struct Parse {
        var groups = 0
        var isCompressed = false
        var sawDecimalDigit = false
        /// One past the last byte that belongs to the address so far.
        var end = 0

        /// Reads groups from `end`; returns false if the text cannot be an address at all.
        mutating func readGroups(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Bool {
            while true {
                let hexDigits = try window.run(from: end, limit: 5, while: PIIBytes.isHexDigit)
                if hexDigits == 0 { return true }
                if hexDigits > 4 { return false }
                if try window.byte(end + hexDigits) == PIIBytes.dot,
                    PIIBytes.isDigit(try window.byte(end + hexDigits + 1))
                {
                    return try readDottedQuad(window)
                }
                try noteDecimalDigits(window, count: hexDigits)
                groups += 1
                end += hexDigits
                if groups > IPv6Detector.maximumGroups { return false }
                guard try window.byte(end) == PIIBytes.colon else { return true }
                let afterColon = try window.byte(end + 1)
                if afterColon == PIIBytes.colon {
                    // A second `::` ends the address before it; isComplete then rejects it.
                    if isCompressed { return true }
                    isCompressed = true
                    end += 2
                } else if PIIBytes.isHexDigit(afterColon) {
                    end += 1
                } else {
                    return true
                }
            }
        }

        /// An embedded IPv4 address takes the place of the last two groups.
        private mutating func readDottedQuad(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Bool {
            guard groups <= IPv6Detector.maximumGroups - 2,
                let quadEnd = try IPv4Detector.dottedQuadEnd(window, at: end)
            else { return false }
            groups += 2
            sawDecimalDigit = true
            end = quadEnd
            return true
        }

        private mutating func noteDecimalDigits(_ window: PIIScanWindow, count: Int) throws(PIINeedMoreInput) {
            guard !sawDecimalDigit else { return }
            for offset in end..<(end + count) where PIIBytes.isDigit(try window.byte(offset)) {
                sawDecimalDigit = true
                return
            }
        }
    }
}
