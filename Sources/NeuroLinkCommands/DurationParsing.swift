/// Parses `30s`, `2m`, `1500ms`, `1h` or a bare number of seconds into milliseconds, within the
/// range the daemon accepts for `timeoutMs` (1 ms to 24 h).
enum DurationParsing {
    static let range = 1...86_400_000

    static func milliseconds(_ text: String) -> Int? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        let (number, scale) =
            units.first { text.hasSuffix($0.0) }.map { (text.dropLast($0.0.count), $0.1) } ?? (Substring(text), 1000)
        guard let value = Double(number) else { return nil }
        let milliseconds = (value * scale).rounded()
        guard milliseconds.isFinite, milliseconds >= Double(range.lowerBound), milliseconds <= Double(range.upperBound)
        else { return nil }
        return Int(milliseconds)
    }
}
