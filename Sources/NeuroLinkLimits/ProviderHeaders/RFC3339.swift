/// Parses RFC 3339 timestamps (`2025-01-31T12:00:30Z`, `2025-01-31T12:00:30.25+01:00`), as Anthropic
/// sends its rate-limit reset times, into time since the Unix epoch. No Foundation: the module stays
/// dependency-free and the parser total (any malformed input gives `nil`).
public enum RFC3339 {
    /// The instant `text` names, as a duration since 1970-01-01T00:00:00Z, or `nil`.
    public static func parse(_ text: some StringProtocol) -> Duration? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let year = reader.digits(4), reader.expect(0x2D),
            let month = reader.digits(2), reader.expect(0x2D),
            let day = reader.digits(2), reader.expect(anyOf: [0x54, 0x74, 0x20]),
            let hour = reader.digits(2), reader.expect(0x3A),
            let minute = reader.digits(2), reader.expect(0x3A),
            let second = reader.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var fraction: Int128 = 0
        if reader.expect(0x2E) {
            var scale = Duration.attosecondsPerSecond
            var count = 0
            while let digit = reader.digit() {
                if scale > 1 {
                    scale /= 10
                    fraction += Int128(digit) * scale
                }
                count += 1
            }
            guard count > 0 else { return nil }
        }
        let offsetSeconds: Int
        if reader.expect(anyOf: [0x5A, 0x7A]) {
            offsetSeconds = 0
        } else if let sign = reader.next(), sign == 0x2B || sign == 0x2D,
            let offsetHours = reader.digits(2), reader.expect(0x3A), let offsetMinutes = reader.digits(2),
            offsetHours < 24, offsetMinutes < 60
        {
            offsetSeconds = (sign == 0x2B ? 1 : -1) * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard reader.atEnd else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Duration(totalAttoseconds: Int128(seconds) * Duration.attosecondsPerSecond + fraction)
    }

    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian calendar).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        // Counts from 0000-03-01 so the leap day falls at the end of each counted year.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func next() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
            defer { index += 1 }
            return Int(bytes[index] - 0x30)
        }

        mutating func digits(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func expect(_ byte: UInt8) -> Bool { expect(anyOf: [byte]) }

        mutating func expect(anyOf options: [UInt8]) -> Bool {
            guard index < bytes.count, options.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
    }
}
