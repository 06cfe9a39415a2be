/// Parses `30s`, `2m`, `1500ms`, `1h` or a bare number of seconds into milliseconds.
enum DurationParsing {
    static func milliseconds(_ text: String) -> Int? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value > 0 else { return nil }
            return Int((value * scale).rounded())
        }
        guard let seconds = Double(text), seconds > 0 else { return nil }
        return Int((seconds * 1000).rounded())
    }
}
