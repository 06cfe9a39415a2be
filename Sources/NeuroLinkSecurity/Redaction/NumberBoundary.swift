/// Boundary rules shared by the number-shaped detectors (phone, card, SSN, IPv4).
///
/// A number-shaped match never starts or ends inside a longer run of digits or a longer
/// number-like structure, so `2024-01-15`, `1.2.3.4.5`, `12:30:45` and digits inside longer digit
/// runs are never cut into a match:
/// - it cannot start right after a letter, digit or `_`, nor after one of `. , - : /` that itself
///   follows a digit (`12-345-…`, `1.2.3…`);
/// - it is complete only if the next byte is not a letter, digit or `_`, and is not one of the
///   detector's joiners followed by a digit (`555-123-4567-89` is not a phone number).
enum NumberBoundary {
    /// `. , - : /`: the punctuation that glues digit groups into one larger number.
    @inline(__always)
    static func isJoiner(_ byte: UInt8?) -> Bool {
        switch byte {
        case PIIBytes.dot, PIIBytes.comma, PIIBytes.hyphen, PIIBytes.colon, PIIBytes.slash: true
        default: false
        }
    }

    /// `.` and `,`: what turns a digit run into a decimal number.
    @inline(__always)
    static func isDecimalMark(_ byte: UInt8?) -> Bool {
        byte == PIIBytes.dot || byte == PIIBytes.comma
    }

    /// Whether a number may start at the window's position.
    static func mayStart(_ window: PIIScanWindow) -> Bool {
        let previous = window.previous
        if PIIBytes.isWord(previous) { return false }
        return !(isJoiner(previous) && PIIBytes.isDigit(window.secondPrevious))
    }

    /// Whether a number ending just before `offset` is not continued by more number.
    ///
    /// `isContinuation` names the bytes that, followed by a digit, would make the number go on.
    static func isComplete(
        _ window: PIIScanWindow,
        at offset: Int,
        continuedBy isContinuation: (UInt8?) -> Bool
    ) throws(PIINeedMoreInput) -> Bool {
        let next = try window.byte(offset)
        if PIIBytes.isWord(next) { return false }
        if isContinuation(next), PIIBytes.isDigit(try window.byte(offset + 1)) { return false }
        return true
    }

    /// The length of the digit run at `offset`, counting at most `limit` digits.
    @inline(__always)
    static func digitRun(_ window: PIIScanWindow, at offset: Int, limit: Int) throws(PIINeedMoreInput) -> Int {
        try window.run(from: offset, limit: limit, while: PIIBytes.isDigit)
    }

    /// The value of `count` decimal digits at `offset` (which must all be digits).
    static func value(_ window: PIIScanWindow, at offset: Int, count: Int) throws(PIINeedMoreInput) -> Int {
        var value = 0
        for index in 0..<count {
            guard let byte = try window.byte(offset + index) else { return value }
            value = value * 10 + PIIBytes.digitValue(byte)
        }
        return value
    }
}
