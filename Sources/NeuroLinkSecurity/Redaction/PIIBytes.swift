/// ASCII byte classes for the detectors.
///
/// The predicates take `UInt8?` because window reads return `nil` at the end of the text; `nil`
/// belongs to no class. A namespace rather than `UInt8` extensions keeps these names out of the
/// way of the rest of the module.
enum PIIBytes {
    static let at = UInt8(ascii: "@")
    static let dot = UInt8(ascii: ".")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let slash = UInt8(ascii: "/")
    static let hyphen = UInt8(ascii: "-")
    static let underscore = UInt8(ascii: "_")
    static let plus = UInt8(ascii: "+")
    static let space = UInt8(ascii: " ")
    static let openParenthesis = UInt8(ascii: "(")
    static let closeParenthesis = UInt8(ascii: ")")
    static let percent = UInt8(ascii: "%")

    @inline(__always)
    static func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte &- 0x30 < 10
    }

    @inline(__always)
    static func isUpper(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte &- 0x41 < 26
    }

    @inline(__always)
    static func isLower(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte &- 0x61 < 26
    }

    @inline(__always)
    static func isLetter(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return (byte | 0x20) &- 0x61 < 26
    }

    @inline(__always)
    static func isAlphanumeric(_ byte: UInt8?) -> Bool {
        isDigit(byte) || isLetter(byte)
    }

    /// Letters, digits and `_`: the bytes that make a word continue.
    @inline(__always)
    static func isWord(_ byte: UInt8?) -> Bool {
        isAlphanumeric(byte) || byte == underscore
    }

    @inline(__always)
    static func isHexDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 6
    }

    /// The base64url alphabet (`A–Z a–z 0–9 _ -`), also the alphabet of API key bodies.
    @inline(__always)
    static func isBase64URL(_ byte: UInt8?) -> Bool {
        isWord(byte) || byte == hyphen
    }

    /// Upper-case letters and digits (AWS key ids, IBAN bodies).
    @inline(__always)
    static func isUpperOrDigit(_ byte: UInt8?) -> Bool {
        isUpper(byte) || isDigit(byte)
    }

    /// The value of an ASCII digit.
    @inline(__always)
    static func digitValue(_ byte: UInt8) -> Int {
        Int(byte &- 0x30)
    }
}
