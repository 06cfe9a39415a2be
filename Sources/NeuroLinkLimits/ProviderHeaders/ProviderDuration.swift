/// Parses the durations providers put in rate-limit reset headers, in Go's `time.Duration` format:
/// `1s`, `6m0s`, `20ms`, `1.5s`, `1h2m3.5s`, `250us`/`250µs`, `10ns`. A bare number (`"2"`, `"0.5"`)
/// is read as seconds, as some OpenAI-compatible servers send it.
public enum ProviderDuration {
    /// The duration `text` denotes, or `nil` when it is not one (empty, negative, unknown unit,
    /// or too large to represent).
    public static func parse(_ text: some StringProtocol) -> Duration? {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }
        var total: Int128 = 0
        var components = 0
        while !bytes.isEmpty {
            guard let (whole, fraction, fractionScale) = number(&bytes) else { return nil }
            let unit: Int128
            if bytes.isEmpty, components == 0 {
                unit = Duration.attosecondsPerSecond
            } else if let parsed = self.unit(&bytes) {
                unit = parsed
            } else {
                return nil
            }
            let (wholePart, overflow) = whole.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            let (sum, sumOverflow) = total.addingReportingOverflow(wholePart + fraction * unit / fractionScale)
            guard !sumOverflow else { return nil }
            total = sum
            components += 1
        }
        return Duration(totalAttoseconds: total)
    }

    /// Digits with an optional fraction; at most 15 digits on each side so nothing can overflow.
    private static func number(_ bytes: inout ArraySlice<UInt8>) -> (Int128, Int128, Int128)? {
        var whole: Int128 = 0
        var fraction: Int128 = 0
        var scale: Int128 = 1
        var digits = 0
        while let byte = bytes.first, byte >= 0x30, byte <= 0x39 {
            guard digits < 15 else { return nil }
            whole = whole * 10 + Int128(byte - 0x30)
            digits += 1
            bytes.removeFirst()
        }
        if bytes.first == 0x2E {
            bytes.removeFirst()
            var fractionDigits = 0
            while let byte = bytes.first, byte >= 0x30, byte <= 0x39 {
                if fractionDigits < 15 {
                    fraction = fraction * 10 + Int128(byte - 0x30)
                    scale *= 10
                }
                fractionDigits += 1
                bytes.removeFirst()
            }
            digits += fractionDigits
        }
        return digits > 0 ? (whole, fraction, scale) : nil
    }

    /// The unit at the start of `bytes`, in attoseconds.
    private static func unit(_ bytes: inout ArraySlice<UInt8>) -> Int128? {
        let units: [([UInt8], Int128)] = [
            (Array("ms".utf8), 1_000_000_000_000_000),
            (Array("us".utf8), 1_000_000_000_000),
            (Array("µs".utf8), 1_000_000_000_000),  // U+00B5 MICRO SIGN, as Go prints it
            (Array("μs".utf8), 1_000_000_000_000),  // U+03BC GREEK SMALL LETTER MU
            (Array("ns".utf8), 1_000_000_000),
            (Array("h".utf8), 3600 * Duration.attosecondsPerSecond),
            (Array("m".utf8), 60 * Duration.attosecondsPerSecond),
            (Array("s".utf8), Duration.attosecondsPerSecond),
        ]
        // Two-letter units first, so "ms" is not read as minutes followed by garbage.
        for (spelling, attoseconds) in units where bytes.starts(with: spelling) {
            bytes.removeFirst(spelling.count)
            return attoseconds
        }
        return nil
    }
}
