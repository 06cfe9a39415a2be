/// Unicode scalar helpers for term matching.
enum FilterScalars {
    /// The scalar's simple lower-case form when that is a single scalar, else the scalar itself.
    ///
    /// One-to-one, so positions in the folded text are positions in the original.
    @inline(__always)
    static func folded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.isASCII {
            let value = scalar.value
            guard value &- 0x41 < 26, let lower = Unicode.Scalar(value + 0x20) else { return scalar }
            return lower
        }
        guard scalar.properties.changesWhenLowercased else { return scalar }
        let mapping = scalar.properties.lowercaseMapping.unicodeScalars
        guard mapping.count == 1, let lower = mapping.first else { return scalar }
        return lower
    }

    /// Letters, digits, combining marks and `_`: what a whole-word term may not touch.
    static func isWord(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        if scalar.isASCII {
            return PIIBytes.isWord(UInt8(truncatingIfNeeded: scalar.value))
        }
        let properties = scalar.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
