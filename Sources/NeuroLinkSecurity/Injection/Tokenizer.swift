/// Cuts folded scalars into tokens, tracking sentences and quoted or code spans.
struct Tokenizer {
    private(set) var tokens: [Token] = []
    private(set) var quotedRanges: [Range<Int>] = []

    private let scalars: [UInt32]
    /// Positions of scalars folded from Cyrillic or Greek look-alikes, ascending.
    private let lookalikes: [Int32]
    private var nextLookalike = 0
    private var sentence: Int32 = 0
    private var tokenStart: Int?
    private var tokenFlags: TokenFlags = []
    private var asciiLetters = 0
    private var quotes = QuoteState()
    private var quotedSince: Int?
    private var newlinesInRow = 0

    init(scalars: [UInt32], lookalikes: [Int32]) {
        self.scalars = scalars
        self.lookalikes = lookalikes
        tokens.reserveCapacity(scalars.count / 4)
    }

    mutating func run() {
        var index = 0
        while index < scalars.count {
            index = step(at: index)
        }
        endToken(at: scalars.count)
        if let since = quotedSince { quotedRanges.append(since..<scalars.count) }
    }

    /// Handles the scalar at `index`; returns the index of the next one to look at.
    private mutating func step(at index: Int) -> Int {
        let value = scalars[index]
        let kind = ScalarKind(value)
        if kind != .newline && kind != .space { newlinesInRow = 0 }
        switch kind {
        case .word:
            if tokenStart == nil { startToken(at: index) }
            return scanWord(from: index)
        case .ideograph:
            endToken(at: index)
            appendToken(index..<index + 1, flags: [.hasLetter])
        case .colon:
            endToken(at: index)
            appendToken(index..<index + 1, flags: [])
        case .sentenceEnd:
            endToken(at: index)
            sentence += 1
        case .period:
            endToken(at: index)
            if index + 1 >= scalars.count || ScalarKind(scalars[index + 1]).endsPeriodSentence { sentence += 1 }
        case .newline:
            endToken(at: index)
            newlinesInRow += 1
            if newlinesInRow == 2 { sentence += 1 }
            quotes.endOfLine()
            noteQuoteChange(at: index)
        case .space:
            endToken(at: index)
        case .quote, .backtick:
            endToken(at: index)
            let consumed = quotes.consume(scalars, at: index, kind: kind)
            noteQuoteChange(at: index)
            return index + consumed
        case .punctuation:
            endToken(at: index)
        }
        return index + 1
    }

    private mutating func startToken(at index: Int) {
        tokenStart = index
        tokenFlags = []
        asciiLetters = 0
    }

    /// Consumes the word scalars from `index` on; returns the index after them.
    private mutating func scanWord(from index: Int) -> Int {
        var cursor = index
        while cursor < scalars.count {
            let value = scalars[cursor]
            if value &- 0x61 < 26 {
                asciiLetters += 1
                tokenFlags.insert(.hasLetter)
            } else if value &- 0x30 < 10 {
                tokenFlags.insert(.hasDigit)
            } else if value >= 0x80, ScalarKind(value) == .word {
                tokenFlags.insert(.hasLetter)
            } else {
                break
            }
            cursor += 1
        }
        return cursor
    }

    private mutating func endToken(at index: Int) {
        guard let start = tokenStart else { return }
        var flags = tokenFlags
        // Mixed script: some letters were folded from look-alikes, others were Latin all along.
        var folded = 0
        while nextLookalike < lookalikes.count, Int(lookalikes[nextLookalike]) < index {
            if Int(lookalikes[nextLookalike]) >= start { folded += 1 }
            nextLookalike += 1
        }
        if folded > 0, asciiLetters > folded { flags.insert(.mixedScript) }
        appendToken(start..<index, flags: flags)
        tokenStart = nil
    }

    private mutating func appendToken(_ range: Range<Int>, flags: TokenFlags) {
        var flags = flags
        if quotes.isQuoted { flags.insert(.quoted) }
        tokens.append(
            Token(start: Int32(range.lowerBound), end: Int32(range.upperBound), sentence: sentence, flags: flags)
        )
    }

    /// Opens or closes a quoted range when the quote state changed at `index`.
    private mutating func noteQuoteChange(at index: Int) {
        if quotes.isQuoted, quotedSince == nil {
            quotedSince = index
        } else if !quotes.isQuoted, let since = quotedSince {
            quotedRanges.append(since..<index + 1)
            quotedSince = nil
        }
    }
}

/// How the tokenizer treats one folded scalar.
enum ScalarKind: Equatable {
    case word
    case ideograph
    case colon
    case sentenceEnd
    case period
    case newline
    case space
    case quote
    case backtick
    case punctuation

    init(_ value: UInt32) {
        self = value < 0x80 ? ScalarKind.ascii(value) : ScalarKind.nonASCII(value)
    }

    /// Whether a period followed by this scalar ends a sentence (and not "example.test" or "3.5").
    var endsPeriodSentence: Bool {
        switch self {
        case .space, .newline, .quote, .sentenceEnd, .backtick: return true
        default: return false
        }
    }

    private static func ascii(_ value: UInt32) -> ScalarKind {
        switch UInt8(truncatingIfNeeded: value) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return .word
        case UInt8(ascii: "\n"): return .newline
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C: return .space
        case UInt8(ascii: "."): return .period
        case UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ";"): return .sentenceEnd
        case UInt8(ascii: ":"): return .colon
        case UInt8(ascii: "\""), UInt8(ascii: "'"): return .quote
        case UInt8(ascii: "`"): return .backtick
        default: return .punctuation
        }
    }

    private static func nonASCII(_ value: UInt32) -> ScalarKind {
        if isIdeographic(value) { return .ideograph }
        switch value {
        case 0x3002, 0xFF61, 0x0964, 0x0965, 0x06D4: return .sentenceEnd  // 。 ｡ । ॥ ۔
        case 0x2028, 0x2029, 0x85: return .newline
        case 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0xAB, 0xBB, 0x300C, 0x300D, 0x300E, 0x300F:
            return .quote
        case 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return .space
        // Letters and marks of the common alphabets, without a Unicode property lookup: Latin,
        // Greek, Cyrillic, Hebrew, Arabic, Devanagari, Hangul syllables.
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F, 0x370...0x374, 0x376...0x37D, 0x37F...0x383, 0x386,
            0x388...0x3FF, 0x400...0x52F, 0x5D0...0x5EA, 0x620...0x65F, 0x900...0x963, 0x966...0x97F,
            0xAC00...0xD7A3:
            return .word
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return .punctuation }
        if scalar.properties.isWhitespace { return .space }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return .word
        default:
            return .punctuation
        }
    }

    /// Han, kana and the iteration and prolonged-sound marks written between them.
    static func isIdeographic(_ value: UInt32) -> Bool {
        switch value {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF,
            0x20000...0x2FFFF, 0x3005, 0x3006:
            return true
        default:
            return false
        }
    }
}

/// Quote and code state while scanning a line.
///
/// Double quotes, curly quotes, guillemets and corner brackets open and close quotes; a single
/// quote counts only when it stands before or after a word boundary, so apostrophes ("don't")
/// do not. Backticks open inline code, three backticks a fence that may span lines.
struct QuoteState {
    private var double = false
    private var single = false
    private var bracketed = 0
    private var inlineCode = false
    private var fence = false

    var isQuoted: Bool { double || single || bracketed > 0 || inlineCode || fence }

    /// Quotes and inline code end at a newline, so one stray quote cannot cover a whole document.
    mutating func endOfLine() {
        double = false
        single = false
        bracketed = 0
        inlineCode = false
    }

    /// Updates the state for the quote or backtick at `index`; returns how many scalars it used.
    mutating func consume(_ scalars: [UInt32], at index: Int, kind: ScalarKind) -> Int {
        let value = scalars[index]
        if kind == .backtick {
            let isFence = index + 2 < scalars.count && scalars[index + 1] == 0x60 && scalars[index + 2] == 0x60
            if isFence {
                fence.toggle()
                return 3
            }
            if !fence { inlineCode.toggle() }
            return 1
        }
        if fence || inlineCode { return 1 }
        switch value {
        case 0x22: double.toggle()
        case 0x201C, 0x201E, 0xAB, 0x300C, 0x300E: bracketed += 1
        case 0x201D, 0xBB, 0x300D, 0x300F: bracketed = max(bracketed - 1, 0)
        default: consumeSingle(scalars, at: index)
        }
        return 1
    }

    private mutating func consumeSingle(_ scalars: [UInt32], at index: Int) {
        let before = index > 0 ? ScalarKind(scalars[index - 1]) : .space
        let after = index + 1 < scalars.count ? ScalarKind(scalars[index + 1]) : .space
        let wordBefore = before == .word || before == .ideograph
        let wordAfter = after == .word || after == .ideograph
        if !single, !wordBefore, wordAfter {
            single = true
        } else if single, !wordAfter {
            single = false
        }
    }
}
