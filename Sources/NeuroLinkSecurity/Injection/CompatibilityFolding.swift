import Foundation

/// NFKC, applied only where it can change something.
///
/// Foundation's NFKC costs tens of nanoseconds per byte. Most prompt text (ASCII, precomposed
/// Latin, Cyrillic, Greek, Hebrew, Arabic letters, kana, Han, Hangul syllables, common
/// punctuation and emoji) is already in NFKC and never composes with its neighbours, so it is
/// copied as is. Full-width ASCII and the compatibility spaces are left for
/// ``ScalarFolding/simpleCompatibilityMapping(_:)``, which maps them one to one. Only the runs
/// between such "inert" characters, together with the character before each run (a combining
/// mark may compose with it), go through Foundation; when there are many runs the whole text
/// does, in one call.
enum CompatibilityFolding {
    /// Beyond this many runs, normalizing the whole text at once is cheaper.
    private static let mostSegments = 4096

    static func nfkc(_ text: String) -> String {
        guard !isAllInert(text) else { return text }
        var text = text
        return text.withUTF8 { bytes in
            let segments = nonInertSegments(bytes)
            guard segments.count <= mostSegments else {
                return String(decoding: bytes, as: UTF8.self).precomposedStringWithCompatibilityMapping
            }
            var result: [UInt8] = []
            result.reserveCapacity(bytes.count + bytes.count / 8)
            var copiedUpTo = 0
            for segment in segments {
                result.append(contentsOf: bytes[copiedUpTo..<segment.lowerBound])
                let normalized = String(decoding: bytes[segment], as: UTF8.self)
                    .precomposedStringWithCompatibilityMapping
                result.append(contentsOf: normalized.utf8)
                copiedUpTo = segment.upperBound
            }
            result.append(contentsOf: bytes[copiedUpTo...])
            return String(decoding: result, as: UTF8.self)
        }
    }

    /// Byte ranges of the runs of non-inert scalars, each with the scalar before it; stops
    /// counting past the limit.
    private static func nonInertSegments(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var segments: [Range<Int>] = []
        var segmentStart: Int?
        var previous: Int?
        var index = 0
        while index < bytes.count, segments.count <= mostSegments {
            let (value, length) = UTF8Decoding.scalar(in: bytes, at: index)
            let inert = isInert(value)
            if !inert, segmentStart == nil {
                segmentStart = previous ?? index
            } else if inert, let start = segmentStart {
                segments.append(start..<index)
                segmentStart = nil
            }
            previous = index
            index += length
        }
        if let start = segmentStart { segments.append(start..<bytes.count) }
        return segments
    }

    /// Whether every scalar is inert; ASCII bytes are skipped without decoding.
    private static func isAllInert(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let lead = bytes[index]
                if lead < 0x80 {
                    if lead < 0x20, lead != 0x09, lead != 0x0A, lead != 0x0D { return false }
                    index += 1
                    continue
                }
                let (value, length) = UTF8Decoding.scalar(in: bytes, at: index)
                if !isInert(value) { return false }
                index += length
            }
            return true
        }
    }

    /// Characters that NFKC leaves alone and that never compose with the character before them.
    /// Anything not listed takes the slow path, which is always correct.
    static func isInert(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E: return true
        // Latin-1 punctuation without compatibility mappings, and precomposed letters
        case 0xA1...0xA7, 0xA9, 0xAB...0xAE, 0xB0, 0xB1, 0xB6, 0xB7, 0xBB, 0xBF, 0xC0...0xFF: return true
        // Latin Extended-A except the compatibility ligatures Ĳ ĳ Ŀ ŀ ŉ ſ
        case 0x100...0x131, 0x134...0x13E, 0x141...0x148, 0x14A...0x17E: return true
        // Greek letters (not ano teleia, not the symbol variants), Cyrillic letters
        case 0x386, 0x388...0x3CE, 0x400...0x482, 0x48A...0x4FF: return true
        // Hebrew and Arabic letters
        case 0x5D0...0x5EA, 0x621...0x64A: return true
        // Devanagari, except the nukta (which composes with न र ळ) and the letters that NFKC
        // decomposes into a consonant and a nukta
        case 0x900...0x93B, 0x93D...0x957, 0x960...0x97F: return true
        // Dashes, quotes, daggers, bullets, per mille
        case 0x2010, 0x2012...0x2016, 0x2018...0x2023, 0x2030: return true
        // Misc symbols and dingbats, CJK punctuation, kana, Han, Hangul syllables
        case 0x2600...0x27BF, 0x3001...0x3003, 0x3005...0x3007, 0x3008...0x3011, 0x3041...0x3096,
            0x30A1...0x30FA, 0x30FC...0x30FE, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3:
            return true
        // Emoji (the enclosed alphanumerics before them have compatibility mappings)
        case 0x1F300...0x1F6FF, 0x1F900...0x1FAFF: return true
        // Mapped one to one by ScalarFolding: full-width ASCII and compatibility spaces
        case 0xFF01...0xFF5E, 0x3000, 0xA0, 0x2000...0x200A, 0x202F, 0x205F: return true
        default: return false
        }
    }
}

/// Decoding of valid UTF-8 (as held by a Swift `String`) one scalar at a time.
enum UTF8Decoding {
    /// The scalar starting at `index` and its length in bytes.
    @inline(__always)
    static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | continuation(bytes, index + 1), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | continuation(bytes, index + 1) << 6 | continuation(bytes, index + 2), 3)
        }
        let high = (lead & 0x07) << 18 | continuation(bytes, index + 1) << 12
        return (high | continuation(bytes, index + 2) << 6 | continuation(bytes, index + 3), 4)
    }

    @inline(__always)
    private static func continuation(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt32 {
        index < bytes.count ? UInt32(bytes[index] & 0x3F) : 0
    }
}
