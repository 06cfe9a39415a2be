/// A wall-clock reading in the proleptic Gregorian calendar, computed from whole seconds since
/// the Unix epoch plus a UTC offset. Done by arithmetic rather than with `Calendar` so the result
/// depends on nothing but the offset the time zone reports.
struct CivilTime: Sendable, Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    /// 0 for Sunday through 6 for Saturday.
    var weekday: Int
    /// Seconds east of UTC.
    var offset: Int

    static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// The reading at `unixSeconds` in a zone `offset` seconds east of UTC. The caller keeps
    /// `unixSeconds` within years 1–9999 (see ``supportedSeconds``).
    init(unixSeconds: Int, offset: Int) {
        let local = unixSeconds + offset
        let (days, secondOfDay) = Self.floorDivision(local, 86_400)
        (year, month, day) = Self.date(daysSinceEpoch: days)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // 1970-01-01 was a Thursday (4).
        weekday = Self.floorDivision(days + 4, 7).remainder
        self.offset = offset
    }

    /// 0001-01-01T00:00:00Z through 9999-12-31T23:59:59Z, narrowed by a day at each end so any UTC
    /// offset still lands in a four-digit year.
    static let supportedSeconds = (-62_135_596_800 + 86_400)...(253_402_300_799 - 86_400)

    var weekdayName: String { Self.weekdayNames[weekday] }

    /// ISO 8601 extended format with a numeric offset, e.g. `2026-12-02T08:15:00-05:00`. The
    /// offset always has a sign and hours and minutes (`+00:00` for UTC), and seconds only in the
    /// rare historical zones whose offset had them.
    var iso8601: String {
        let date = "\(Self.padded(year, 4))-\(Self.padded(month))-\(Self.padded(day))"
        let time = "\(Self.padded(hour)):\(Self.padded(minute)):\(Self.padded(second))"
        return "\(date)T\(time)\(offsetText)"
    }

    private var offsetText: String {
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        var text = "\(sign)\(Self.padded(magnitude / 3600)):\(Self.padded(magnitude % 3600 / 60))"
        if magnitude % 60 != 0 { text += ":\(Self.padded(magnitude % 60))" }
        return text
    }

    private static func padded(_ value: Int, _ width: Int = 2) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Quotient and remainder rounded toward −∞, so times before 1970 fall on the right day.
    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((value % divisor) + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    /// Year, month and day of the day `days` after 1970-01-01. Counts in 400-year eras that start
    /// on 1 March, so the leap day is the last day of its era-year and needs no special case.
    private static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let daysPerEra = 146_097
        let shifted = days + 719_468  // days from 0000-03-01 to 1970-01-01
        let (era, dayOfEra) = floorDivision(shifted, daysPerEra)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchBasedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchBasedMonth + 2) / 5 + 1
        let month = marchBasedMonth < 10 ? marchBasedMonth + 3 : marchBasedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
