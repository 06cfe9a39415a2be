/// International bank account numbers.
///
/// Two upper-case letters (country), two digits (check), then the BBAN of upper-case letters and
/// digits, either compact (`DE89370400440532013000`) or in groups of four joined by single spaces
/// (`DE89 3704 0044 0532 0130 00`, last group 1–4 long). For the countries in ``countryLengths`` the
/// total must be that country's length; for others 15–34. The ISO 7064 mod-97 check must give 1.
/// The match may not start after, nor end before, a letter or digit.
///
/// Not caught: lower-case IBANs, groups joined by anything but single spaces, IBANs whose
/// country length is not in the table and falls outside 15–34 (none today).
enum IBANDetector {
    static let minimumLength = 15
    static let maximumLength = 34

    /// IBAN lengths of common countries (ISO 13616 registry), keyed by the two letters.
    static let countryLengths: [UInt16: Int] = {
        let table: [(StaticString, Int)] = [
            ("AD", 24), ("AE", 23), ("AT", 20), ("BE", 16), ("BG", 22), ("CH", 21), ("CY", 28),
            ("CZ", 24), ("DE", 22), ("DK", 18), ("EE", 20), ("ES", 24), ("FI", 18), ("FR", 27),
            ("GB", 22), ("GR", 27), ("HR", 21), ("HU", 28), ("IE", 22), ("IS", 26), ("IT", 27),
            ("LI", 21), ("LT", 20), ("LU", 20), ("LV", 21), ("MC", 27), ("MT", 31), ("NL", 18),
            ("NO", 15), ("PL", 28), ("PT", 25), ("RO", 24), ("SA", 24), ("SE", 24), ("SI", 19),
            ("SK", 24), ("SM", 27), ("TR", 26),
        ]
        var lengths: [UInt16: Int] = [:]
        for (code, length) in table {
            let bytes = code.utf8Start
            lengths[UInt16(bytes[0]) << 8 | UInt16(bytes[1])] = length
        }
        return lengths
    }()

    /// The length of the IBAN at the window's position, if there is one.
    static func match(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard !PIIBytes.isAlphanumeric(window.previous),
            let first = try window.byte(0), PIIBytes.isUpper(first),
            let second = try window.byte(1), PIIBytes.isUpper(second),
            PIIBytes.isDigit(try window.byte(2)), PIIBytes.isDigit(try window.byte(3))
        else { return nil }
        let expected = countryLengths[UInt16(first) << 8 | UInt16(second)]
        let body: (characters: Int, end: Int)
        if try window.byte(4) == PIIBytes.space {
            body = try groupedBody(window, expectedLength: expected)
        } else {
            let count = try window.run(from: 4, limit: maximumLength - 3, while: PIIBytes.isUpperOrDigit)
            body = (4 + count, 4 + count)
        }
        guard !PIIBytes.isAlphanumeric(try window.byte(body.end)) else { return nil }
        if let expected {
            guard body.characters == expected else { return nil }
        } else {
            guard body.characters >= minimumLength, body.characters <= maximumLength else { return nil }
        }
        guard try hasValidChecksum(window, end: body.end) else { return nil }
        return body.end
    }

    /// Groups of four after the country and check digits; stops at a short group, at the
    /// country's length, or when the next group does not follow.
    private static func groupedBody(
        _ window: PIIScanWindow,
        expectedLength: Int?
    ) throws(PIINeedMoreInput) -> (characters: Int, end: Int) {
        var characters = 4
        var end = 4
        let target = expectedLength ?? maximumLength
        while characters < target, try window.byte(end) == PIIBytes.space {
            let group = try window.run(from: end + 1, limit: 5, while: PIIBytes.isUpperOrDigit)
            guard group >= 1, group <= 4 else { break }
            characters += group
            end += 1 + group
            if group < 4 { break }
        }
        return (characters, end)
    }

    /// ISO 7064 mod 97-10 over the characters with the first four moved to the end.
    private static func hasValidChecksum(_ window: PIIScanWindow, end: Int) throws(PIINeedMoreInput) -> Bool {
        var remainder = 0
        for offset in 4..<end {
            remainder = try accumulate(remainder, window.byte(offset))
        }
        for offset in 0..<4 {
            remainder = try accumulate(remainder, window.byte(offset))
        }
        return remainder == 1
    }

    /// Folds one IBAN character into the running remainder; spaces are skipped.
    private static func accumulate(_ remainder: Int, _ byte: UInt8?) -> Int {
        guard let byte else { return remainder }
        if PIIBytes.isDigit(byte) {
            return (remainder * 10 + PIIBytes.digitValue(byte)) % 97
        }
        guard PIIBytes.isUpper(byte) else { return remainder }
        return (remainder * 100 + Int(byte - UInt8(ascii: "A")) + 10) % 97
    }
}
