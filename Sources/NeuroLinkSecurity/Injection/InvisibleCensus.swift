/// Invisible characters in a text, what they carry, and the text without them.
///
/// Invisible characters are removed before any matching, so "ig\u{200B}nore" reads "ignore";
/// the census keeps their counts for the obfuscation signals. Uses that are ordinary in real text
/// are told apart: joiners between emoji, non-joiners in Persian or Indic words, direction marks
/// next to Hebrew or Arabic, and the tag characters of subdivision flags (🏴 + tags + cancel tag).
struct InvisibleCensus {
    /// The text with every invisible character removed.
    private(set) var cleaned: String
    /// ASCII spelled with tag characters outside flag sequences.
    private(set) var tagPayload = ""
    private(set) var tagCount = 0
    /// Bytes spelled with runs of variation selectors.
    private(set) var selectorPayload: [UInt8] = []
    /// Zero-width characters standing inside a Latin, Greek or Cyrillic word.
    private(set) var zeroWidthSplits = 0
    /// U+202D and U+202E.
    private(set) var bidiOverrides = 0
    /// Other embedding, isolate and mark controls.
    private(set) var bidiControls = 0
    private(set) var hasRightToLeftLetters = false

    /// Longest payload kept from tag characters or variation selectors.
    static let payloadLimit = 4096
    /// A subdivision flag spells a region code of at most seven tags.
    private static let flagTagLimit = 7

    init(_ text: String) {
        cleaned = text
        guard InvisibleCensus.mayContainInvisible(text) else { return }
        var scanner = Scanner()
        var kept: [UInt8] = []
        var utf8 = text
        utf8.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let (value, length) = UTF8Decoding.scalar(in: bytes, at: index)
                let visible = Unicode.Scalar(value).map { scanner.visit($0, census: &self) } ?? true
                // The copy starts at the first invisible character; texts without one pay nothing.
                if !visible, !scanner.removedAny {
                    kept.reserveCapacity(bytes.count)
                    kept.append(contentsOf: bytes[0..<index])
                }
                if !visible { scanner.removedAny = true }
                if visible, scanner.removedAny { kept.append(contentsOf: bytes[index..<index + length]) }
                index += length
            }
        }
        scanner.finish(census: &self)
        if scanner.removedAny { cleaned = String(decoding: kept, as: UTF8.self) }
    }

    /// Whether the UTF-8 of `text` contains the encoding of any invisible character; a byte scan
    /// that lets ordinary text skip the census.
    static func mayContainInvisible(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let lead = bytes[index]
                if lead >= 0xC2, startsInvisible(bytes, at: index) { return true }
                index += 1
            }
            return false
        }
    }

    /// Lead and continuation bytes of the invisible characters `InvisibleKind` knows.
    private static func startsInvisible(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let second = index + 1 < bytes.count ? bytes[index + 1] : 0
        let third = index + 2 < bytes.count ? bytes[index + 2] : 0
        switch bytes[index] {
        case 0xC2: return second == 0xAD  // soft hyphen
        case 0xCD: return second == 0x8F  // combining grapheme joiner
        case 0xD8: return second == 0x9C  // Arabic letter mark
        case 0xE1:  // Hangul fillers, Khmer invisible vowels, Mongolian vowel separator
            return (second == 0x85 && (third == 0x9F || third == 0xA0))
                || (second == 0x9E && (third == 0xB4 || third == 0xB5))
                || (second == 0xA0 && third == 0x8E)
        case 0xE2:  // zero-width, bidi marks and controls, word joiner, isolates
            return (second == 0x80 && ((0x8B...0x8F).contains(third) || (0xAA...0xAE).contains(third)))
                || (second == 0x81 && (0xA0...0xA9).contains(third))
        case 0xE3: return second == 0x85 && third == 0xA4  // Hangul filler
        case 0xEF:  // variation selectors, BOM, halfwidth Hangul filler
            return (second == 0xB8 && (0x80...0x8F).contains(third)) || (second == 0xBB && third == 0xBF)
                || (second == 0xBE && third == 0xA0)
        case 0xF3: return second == 0xA0  // tags and supplementary variation selectors
        default: return false
        }
    }

    /// Walks the scalars once, keeping the little state the counts need.
    private struct Scanner {
        var removedAny = false
        var pendingZeroWidth = 0
        var previousVisibleIsWordLetter = false
        var previousVisible: UInt32 = 0
        var flagTags = -1
        var selectorRun: [UInt8] = []

        /// Records `scalar`; returns whether it is visible and stays in the cleaned text.
        mutating func visit(_ scalar: Unicode.Scalar, census: inout InvisibleCensus) -> Bool {
            let value = scalar.value
            switch InvisibleKind(value) {
            case .visible:
                noteVisible(value, census: &census)
                return true
            case .tag:
                noteTag(value, census: &census)
            case .selector(let byte):
                selectorRun.append(byte)
            case .zeroWidth:
                pendingZeroWidth += 1
            case .bidiOverride:
                census.bidiOverrides += 1
            case .bidiControl:
                census.bidiControls += 1
            }
            return false
        }

        mutating func finish(census: inout InvisibleCensus) {
            flushSelectors(census: &census)
        }

        private mutating func noteVisible(_ value: UInt32, census: inout InvisibleCensus) {
            flushSelectors(census: &census)
            let isWordLetter = InvisibleKind.isAlphabeticWordScalar(value)
            if pendingZeroWidth > 0, previousVisibleIsWordLetter, isWordLetter {
                census.zeroWidthSplits += pendingZeroWidth
            }
            pendingZeroWidth = 0
            previousVisibleIsWordLetter = isWordLetter
            previousVisible = value
            flagTags = value == 0x1F3F4 ? 0 : -1
            if !census.hasRightToLeftLetters, InvisibleKind.isRightToLeftLetter(value) {
                census.hasRightToLeftLetters = true
            }
        }

        /// Tags right after 🏴 spell a subdivision flag until the cancel tag; others hide text.
        private mutating func noteTag(_ value: UInt32, census: inout InvisibleCensus) {
            if flagTags >= 0, flagTags < InvisibleCensus.flagTagLimit || value == 0xE007F {
                flagTags = value == 0xE007F ? -1 : flagTags + 1
                return
            }
            flagTags = -1
            census.tagCount += 1
            let ascii = value - 0xE0000
            guard ascii >= 0x20, ascii < 0x7F, census.tagPayload.utf8.count < InvisibleCensus.payloadLimit,
                let character = Unicode.Scalar(ascii)
            else { return }
            census.tagPayload.unicodeScalars.append(character)
        }

        /// Four or more selectors in a row carry bytes (one byte each); shorter runs are emoji
        /// presentation selectors.
        private mutating func flushSelectors(census: inout InvisibleCensus) {
            guard !selectorRun.isEmpty else { return }
            if selectorRun.count >= 4 {
                let room = InvisibleCensus.payloadLimit - census.selectorPayload.count
                census.selectorPayload.append(contentsOf: selectorRun.prefix(max(room, 0)))
            }
            selectorRun.removeAll(keepingCapacity: true)
        }
    }
}

/// The invisible characters the census knows.
enum InvisibleKind {
    case visible
    /// U+E0000–U+E007F.
    case tag
    /// A variation selector, with the byte it encodes (VS1–VS16 → 0–15, VS17–VS256 → 16–255).
    case selector(UInt8)
    /// Zero-width spaces and joiners, word joiner, BOM, soft hyphen, fillers.
    case zeroWidth
    case bidiOverride
    case bidiControl

    init(_ value: UInt32) {
        switch value {
        case 0xE0000...0xE007F: self = .tag
        case 0xFE00...0xFE0F: self = .selector(UInt8(value - 0xFE00))
        case 0xE0100...0xE01EF: self = .selector(UInt8(value - 0xE0100 + 16))
        case 0x200B, 0x200C, 0x200D, 0x2060...0x2064, 0xFEFF, 0x180E, 0x00AD, 0x034F, 0x115F, 0x1160, 0x3164,
            0xFFA0, 0x17B4, 0x17B5:
            self = .zeroWidth
        case 0x202D, 0x202E: self = .bidiOverride
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202C, 0x2066...0x2069: self = .bidiControl
        default: self = .visible
        }
    }

    /// Letters and digits of scripts whose words never need a zero-width character inside.
    static func isAlphabeticWordScalar(_ value: UInt32) -> Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x370...0x3FF, 0x400...0x4FF:
            return value != 0xD7 && value != 0xF7
        default:
            return false
        }
    }

    /// Hebrew, Arabic, Syriac, Thaana and the presentation forms of Hebrew and Arabic.
    static func isRightToLeftLetter(_ value: UInt32) -> Bool {
        switch value {
        case 0x0590...0x08FF, 0xFB1D...0xFDFF, 0xFE70...0xFEFC: return true
        default: return false
        }
    }
}
