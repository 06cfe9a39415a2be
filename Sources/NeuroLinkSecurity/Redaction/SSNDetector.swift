/// US social security numbers written `AAA-GG-SSSS`.
///
/// Numbers the SSA never issues are skipped: area `000`, `666` or `900`–`999`, group `00`,
/// serial `0000`. Number boundaries follow ``NumberBoundary`` (so `123-45-6789-0` is not one).
///
/// Not caught: SSNs written without hyphens or with spaces, which are indistinguishable from other
/// nine-digit numbers.
enum SSNDetector {
    static let length = 11

    /// The length of the SSN at the window's position, if there is one.
    static func match(_ window: PIIScanWindow) throws(PIINeedMoreInput) -> Int? {
        guard NumberBoundary.mayStart(window),
            try NumberBoundary.digitRun(window, at: 0, limit: 4) == 3,
            try window.byte(3) == PIIBytes.hyphen,
            try NumberBoundary.digitRun(window, at: 4, limit: 3) == 2,
            try window.byte(6) == PIIBytes.hyphen,
            try NumberBoundary.digitRun(window, at: 7, limit: 5) == 4,
            try NumberBoundary.isComplete(window, at: length, continuedBy: NumberBoundary.isJoiner)
        else { return nil }
        let area = try NumberBoundary.value(window, at: 0, count: 3)
        let group = try NumberBoundary.value(window, at: 4, count: 2)
        let serial = try NumberBoundary.value(window, at: 7, count: 4)
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
        return length
    }
}
