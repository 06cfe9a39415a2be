import NeuroLinkProtocol

extension PartialJSONParser {
    /// The string token being read (a value or a key).
    struct StringLexer: Sendable {
        enum Escape: Sendable { case none, backslash, unicode }

        /// The decoded text so far, without any half-read escape.
        var text = ""
        var escape = Escape.none
        var unicodeValue: UInt16 = 0
        var unicodeDigits = 0
        /// A `\uD8xx` waiting to learn whether a `\uDCxx` follows; hidden from snapshots until then
        /// so a snapshot never shows a replacement character that later turns into an emoji.
        var pendingHighSurrogate: UInt16?

        mutating func reset() {
            text = ""
            escape = .none
            unicodeDigits = 0
            pendingHighSurrogate = nil
        }
    }

    mutating func beginString(isKey: Bool) {
        token = isKey ? .key : .string
        string.reset()
    }

    /// Consumes string content starting at `start`: a run of plain bytes at once, or one special
    /// byte. Returns the index of the first byte not consumed.
    mutating func consumeString(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let byte = bytes[start]
        if string.escape != .none {
            consumeEscapeByte(byte)
            return start + 1
        }
        switch byte {
        case UInt8(ascii: "\""):
            resolvePendingSurrogate()
            finishString()
        case UInt8(ascii: "\\"):
            string.escape = .backslash
        case ..<0x20:
            // Models sometimes emit a raw newline inside a string; keep it for the preview.
            tolerate("raw control character \(Self.describe(byte)) inside a string must be escaped")
            resolvePendingSurrogate()
            string.text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            resolvePendingSurrogate()
            var end = start + 1
            while end < bytes.count, bytes[end] >= 0x20, bytes[end] != UInt8(ascii: "\""),
                bytes[end] != UInt8(ascii: "\\")
            {
                end += 1
            }
            // The run starts and ends at an ASCII byte or at an edge of the delta, and each delta
            // is a whole `String`, so the run is valid UTF-8 on its own.
            string.text += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            return end
        }
        return start + 1
    }

    private mutating func consumeEscapeByte(_ byte: UInt8) {
        switch string.escape {
        case .none:
            return
        case .backslash:
            let scalar: Unicode.Scalar
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalar = Unicode.Scalar(byte)
            case UInt8(ascii: "b"): scalar = "\u{08}"
            case UInt8(ascii: "f"): scalar = "\u{0C}"
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "t"): scalar = "\t"
            case UInt8(ascii: "u"):
                string.escape = .unicode
                string.unicodeValue = 0
                string.unicodeDigits = 0
                return
            default:
                fail("invalid escape sequence '\\' followed by \(Self.describe(byte))")
                return
            }
            string.escape = .none
            resolvePendingSurrogate()
            string.text.unicodeScalars.append(scalar)
        case .unicode:
            guard let digit = Self.hexDigitValue(byte) else {
                fail("expected a hexadecimal digit in a \\u escape, found \(Self.describe(byte))")
                return
            }
            string.unicodeValue = string.unicodeValue << 4 | digit
            string.unicodeDigits += 1
            if string.unicodeDigits == 4 {
                string.escape = .none
                appendCodeUnit(string.unicodeValue)
            }
        }
    }

    /// Adds one UTF-16 code unit from a `\u` escape, pairing surrogates.
    private mutating func appendCodeUnit(_ unit: UInt16) {
        if let high = string.pendingHighSurrogate {
            string.pendingHighSurrogate = nil
            if UTF16.isTrailSurrogate(unit) {
                let value = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                string.text.unicodeScalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                return
            }
            appendUnpairedSurrogate()
        }
        if UTF16.isLeadSurrogate(unit) {
            string.pendingHighSurrogate = unit
        } else if let scalar = Unicode.Scalar(unit) {
            string.text.unicodeScalars.append(scalar)
        } else {
            appendUnpairedSurrogate()
        }
    }

    /// A high surrogate not followed by `\uDCxx` cannot be represented in a `String`.
    private mutating func resolvePendingSurrogate() {
        guard string.pendingHighSurrogate != nil else { return }
        string.pendingHighSurrogate = nil
        appendUnpairedSurrogate()
    }

    private mutating func appendUnpairedSurrogate() {
        tolerate("unpaired UTF-16 surrogate in a \\u escape")
        string.text.unicodeScalars.append("\u{FFFD}")
    }

    private mutating func finishString() {
        var text = ""
        swap(&text, &string.text)
        if token == .key, let top = stack.indices.last {
            token = .none
            stack[top].key = text
            stack[top].expect = .colon
        } else {
            token = .none
            deliver(.string(text))
        }
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
