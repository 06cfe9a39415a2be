extension JSONParser {
    /// A string literal, the index on its opening quote. Without escapes the text is validated
    /// and copied once, straight from the input.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        var bits: UInt8 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.quote {
                let text = Self.string(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), isASCII: bits < 0x80)
                guard let text else { throw failure("invalid UTF-8 in a string", at: start) }
                index += 1
                return text
            }
            if byte == ASCII.backslash { return try parseEscapedString(from: start) }
            guard byte >= 0x20 else { throw failure("unescaped control character in a string") }
            bits |= byte
            index += 1
        }
        throw failure("unterminated string", at: start - 1)
    }

    /// The UTF-8 in `raw` as a string, or nil when it is not valid UTF-8. `String(validating:as:)`
    /// is generic over any sequence and cost about 1,000 instructions per short string (most of
    /// the shipped rule file's reading); decoding from a buffer is the standard library's fast path,
    /// and text that needed repairing is told by its bytes: only invalid input comes out different.
    static func string(_ raw: UnsafeRawBufferPointer, isASCII: Bool) -> String? {
        let utf8 = raw.assumingMemoryBound(to: UInt8.self)
        let text = String(decoding: utf8, as: UTF8.self)
        return isASCII || text.utf8.elementsEqual(utf8) ? text : nil
    }

    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(index - start + 32)
        utf8.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case ASCII.quote:
                let text = utf8.withUnsafeBytes { Self.string($0, isASCII: false) }
                guard let text else { throw failure("invalid UTF-8 in a string", at: start) }
                index += 1
                return text
            case ASCII.backslash: try appendEscape(to: &utf8)
            case ..<0x20: throw failure("unescaped control character in a string")
            default:
                utf8.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string", at: start - 1)
    }

    /// One escape sequence, the index on its backslash.
    private mutating func appendEscape(to utf8: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        guard index + 1 < bytes.count else { throw failure("unterminated string") }
        let kind = bytes[index + 1]
        index += 2
        switch kind {
        case ASCII.quote, ASCII.backslash, ASCII.slash: utf8.append(kind)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let scalar = try unicodeEscape(startingAt: escapeStart)
            UTF8.encode(scalar) { utf8.append($0) }
        default: throw failure("invalid escape sequence", at: escapeStart)
        }
    }

    /// The scalar of `\uXXXX` (index after the `u`), combining a surrogate pair; an unpaired
    /// surrogate is refused, as Foundation does.
    private mutating func unicodeEscape(startingAt escapeStart: Int) throws(JSONParseError) -> Unicode.Scalar {
        let first = try hexQuad()
        var value = first
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == ASCII.backslash, bytes[index + 1] == UInt8(ascii: "u")
            else { throw failure("unpaired surrogate in a \\u escape", at: escapeStart) }
            index += 2
            let second = try hexQuad()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw failure("unpaired surrogate in a \\u escape", at: escapeStart)
            }
            value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw failure("unpaired surrogate in a \\u escape", at: escapeStart)
        }
        return scalar
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in a \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A number, the index on its first byte. Short integers are computed directly; anything else
    /// goes, once its grammar is checked, to the standard library's correctly rounding parser.
    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        let negative = consume(ASCII.minus)
        let integerStart = index
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit") }
        if bytes[index] == ASCII.zero {
            index += 1
            guard index >= bytes.count || !isDigit(bytes[index]) else { throw failure("leading zero in a number") }
        } else {
            skipDigits()
        }
        let integerEnd = index
        var integral = true
        if consume(ASCII.dot) {
            integral = false
            try requireDigits()
        }
        if index < bytes.count, bytes[index] | 0x20 == ASCII.e {
            integral = false
            index += 1
            if !consume(ASCII.plus) { _ = consume(ASCII.minus) }
            try requireDigits()
        }
        if integral, integerEnd - integerStart <= 15 {
            var magnitude: Int64 = 0
            for offset in integerStart..<integerEnd { magnitude = magnitude * 10 + Int64(bytes[offset] - ASCII.zero) }
            return negative ? -Double(magnitude) : Double(magnitude)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw failure("number out of range", at: start) }
        return value
    }

    private mutating func requireDigits() throws(JSONParseError) {
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit") }
        skipDigits()
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- ASCII.zero < 10
    }
}
