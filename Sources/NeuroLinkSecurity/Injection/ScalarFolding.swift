import Foundation

/// Per-scalar folding: look-alike letters to Latin, lowercase, Latin accents stripped.
///
/// Applied after NFKC (which already turns full-width and other compatibility forms into their
/// plain letters), so that "Ｉｇｎｏｒｅ", "Іgnоrе" and "ÍGNORE" all read "ignore". The same folding
/// is applied to the phrase lists, so Russian or Greek phrases stay consistent with Russian or
/// Greek text even though some of their letters are folded too.
enum ScalarFolding {
    /// Folds `text` (already NFKC) into lowercase scalars; `lookalikes` receives the positions of
    /// scalars folded from Cyrillic or Greek look-alikes, in order.
    static func fold(_ text: String) -> (scalars: [UInt32], lookalikes: [Int32]) {
        var scalars: [UInt32] = []
        var lookalikes: [Int32] = []
        scalars.reserveCapacity(text.utf8.count)
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    // ASCII: lowercase A–Z, keep the rest.
                    let value = UInt32(byte)
                    scalars.append(value &- 0x41 < 26 ? value + 0x20 : value)
                    index += 1
                    continue
                }
                let (value, length) = UTF8Decoding.scalar(in: bytes, at: index)
                index += length
                if let scalar = Unicode.Scalar(value) { foldNonASCII(scalar, into: &scalars, lookalikes: &lookalikes) }
            }
        }
        return (scalars, lookalikes)
    }

    private static func foldNonASCII(_ scalar: Unicode.Scalar, into scalars: inout [UInt32], lookalikes: inout [Int32])
    {
        if let ascii = simpleCompatibilityMapping(scalar.value) {
            scalars.append(ascii &- 0x41 < 26 ? ascii + 0x20 : ascii)
            return
        }
        let value = scalar.value
        if value >= 0x370, value < 0x500, let latin = lookalikeTable[value] {
            lookalikes.append(Int32(scalars.count))
            scalars.append(latin)
            return
        }
        guard mayHaveCase(value), scalar.properties.changesWhenLowercased else {
            scalars.append(strippingAccent(value))
            return
        }
        for lower in scalar.properties.lowercaseMapping.unicodeScalars {
            scalars.append(strippingAccent(lower.value))
        }
    }

    /// The NFKC mapping of full-width ASCII (U+FF01–U+FF5E) and of the compatibility spaces,
    /// which `CompatibilityFolding` leaves to this step because it is one to one.
    static func simpleCompatibilityMapping(_ value: UInt32) -> UInt32? {
        switch value {
        case 0xFF01...0xFF5E: return value - 0xFEE0
        case 0x3000, 0xA0, 0x2000...0x200A, 0x202F, 0x205F: return 0x20
        default: return nil
        }
    }

    /// False for the blocks without case (CJK, kana, Hangul, Arabic, Hebrew, Indic…), which
    /// saves a Unicode property lookup on most non-Latin text.
    private static func mayHaveCase(_ value: UInt32) -> Bool {
        switch value {
        case 0..<0x590, 0x10A0...0x10FF, 0x13A0...0x13FF, 0x1C80...0x1CBF, 0x1E00...0x1FFF, 0x2100...0x218F,
            0x24B6...0x24E9, 0x2C00...0x2D2F, 0xA640...0xA7FF, 0xAB70...0xABBF, 0xFF21...0xFF3A, 0x10400...:
            return true
        default:
            return false
        }
    }

    /// The base letter of an accented Latin letter ("é" → "e"), or the scalar itself.
    ///
    /// Only Latin is stripped: dropping marks from kana, Hangul or Devanagari would change the
    /// letters themselves, not their accents.
    static func strippingAccent(_ value: UInt32) -> UInt32 {
        if value >= 0xC0 && value < 0x250 { return latinBase[Int(value - 0xC0)] }
        if value >= 0x1E00 && value < 0x1F00 { return extendedBase[Int(value - 0x1E00)] }
        return value
    }

    /// Leetspeak digit for letter ("1gn0r3" → "ignore"), used only inside words that mix letters
    /// and digits.
    static func leetLetter(_ value: UInt32) -> UInt32 {
        switch value {
        case 0x30: return 0x6F  // 0 → o
        case 0x31: return 0x69  // 1 → i
        case 0x33: return 0x65  // 3 → e
        case 0x34: return 0x61  // 4 → a
        case 0x35: return 0x73  // 5 → s
        case 0x37: return 0x74  // 7 → t
        default: return value
        }
    }

    private static let latinBase: [UInt32] = baseLetters(0xC0..<0x250)
    private static let extendedBase: [UInt32] = baseLetters(0x1E00..<0x1F00)

    /// Letters without a canonical decomposition that still read as a plain Latin letter.
    private static let unDecomposable: [UInt32: UInt32] = [
        0xD8: 0x6F, 0xF8: 0x6F, 0x141: 0x6C, 0x142: 0x6C, 0x110: 0x64, 0x111: 0x64, 0x131: 0x69,
        0x126: 0x68, 0x127: 0x68, 0x166: 0x74, 0x167: 0x74,
    ]

    private static func baseLetters(_ range: Range<UInt32>) -> [UInt32] {
        range.map { value in
            if let plain = unDecomposable[value] { return plain }
            guard let scalar = Unicode.Scalar(value) else { return value }
            let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
            guard let first = decomposed.first, first.value < 0x80, decomposed.count > 1 else { return value }
            let base = first.value
            return base >= 0x41 && base <= 0x5A ? base + 0x20 : base
        }
    }

    /// Cyrillic and Greek letters that render like a Latin letter, mapped to lowercase Latin.
    ///
    /// Upper and lower case are listed separately because they resemble different Latin letters
    /// (Greek "Ν" looks like "N", "ν" like "v"). Greek μ is left out: it is the micro sign after
    /// NFKC and appears in ordinary units ("10μs").
    private static let lookalikeTable: [UInt32: UInt32] = {
        let pairs: [(String, String)] = [
            // Cyrillic lowercase
            ("а", "a"), ("е", "e"), ("о", "o"), ("р", "p"), ("с", "c"), ("у", "y"), ("х", "x"),
            ("і", "i"), ("ј", "j"), ("ѕ", "s"), ("һ", "h"), ("ԁ", "d"), ("ԛ", "q"), ("ԝ", "w"),
            ("ӏ", "l"), ("ё", "e"), ("ї", "i"),
            // Cyrillic uppercase
            ("А", "a"), ("В", "b"), ("Е", "e"), ("К", "k"), ("М", "m"), ("Н", "h"), ("О", "o"),
            ("Р", "p"), ("С", "c"), ("Т", "t"), ("Х", "x"), ("У", "y"), ("І", "i"), ("Ј", "j"),
            ("Ѕ", "s"), ("Ӏ", "l"), ("Ԁ", "d"), ("Ԛ", "q"), ("Ԝ", "w"),
            // Greek lowercase
            ("ο", "o"), ("α", "a"), ("ι", "i"), ("κ", "k"), ("ν", "v"), ("ρ", "p"), ("τ", "t"),
            ("υ", "u"), ("χ", "x"), ("ε", "e"), ("η", "n"), ("ϲ", "c"), ("ϳ", "j"),
            // Greek uppercase
            ("Α", "a"), ("Β", "b"), ("Ε", "e"), ("Ζ", "z"), ("Η", "h"), ("Ι", "i"), ("Κ", "k"),
            ("Μ", "m"), ("Ν", "n"), ("Ο", "o"), ("Ρ", "p"), ("Τ", "t"), ("Υ", "y"), ("Χ", "x"),
        ]
        var table: [UInt32: UInt32] = [:]
        for (lookalike, latin) in pairs {
            guard let from = lookalike.unicodeScalars.first, let to = latin.unicodeScalars.first else { continue }
            table[from.value] = to.value
        }
        return table
    }()
}
