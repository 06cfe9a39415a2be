import Foundation

/// BERT's uncased tokenizer: basic tokenisation (drop control and format characters, whitespace
/// to spaces, CJK ideographs as words of their own, lower-case one scalar at a time, strip every
/// combining mark after canonical decomposition, split off punctuation), then
/// WordPiece — the longest vocabulary entry from the start of each word, then `##`-prefixed
/// continuations; a word that cannot be covered is `[UNK]`. The result is framed by `[CLS]` and
/// `[SEP]` and holds at most ``maxTokens`` ids. Unlike the reference tokenizer, text that spells a
/// special token (`[SEP]`, `[CLS]`, …) is ordinary text here: a prompt cannot inject model tokens.
struct WordPieceTokenizer: Sendable {
    private let vocabulary: [String: Int32]
    let unknown: Int32
    let classify: Int32
    let separator: Int32
    let maxTokens: Int

    /// Words longer than this many characters are `[UNK]`, as in BERT.
    static let maxWordCharacters = 100

    init(vocabulary path: String, maxTokens: Int = 128) throws(EmbeddingError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path, "\(error.localizedDescription)")
        }
        var vocabulary: [String: Int32] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if !token.isEmpty, vocabulary[token] == nil { vocabulary[token] = Int32(index) }
        }
        guard let unknown = vocabulary["[UNK]"], let classify = vocabulary["[CLS]"], let separator = vocabulary["[SEP]"]
        else { throw .malformed(path, "the vocabulary lacks [UNK], [CLS] or [SEP]") }
        self.vocabulary = vocabulary
        self.unknown = unknown
        self.classify = classify
        self.separator = separator
        self.maxTokens = max(2, maxTokens)
    }

    /// The ids of `text`, `[CLS]` first and `[SEP]` last.
    func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [classify]
        let room = maxTokens - 2
        for word in Self.basicTokens(text) {
            for id in wordPieces(word) {
                guard ids.count - 1 < room else { return ids + [separator] }
                ids.append(id)
            }
        }
        return ids + [separator]
    }

    /// Basic tokenisation: the words and punctuation marks of `text`, lower-cased without accents.
    static func basicTokens(_ text: String) -> [String] {
        var spaced = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                spaced.append(" ")
            } else if isCJK(scalar) {
                spaced.append(" ")
                spaced.append(scalar)
                spaced.append(" ")
            } else {
                spaced.append(scalar)
            }
        }
        var tokens: [String] = []
        for word in String(spaced).split(separator: " ") {
            // One scalar at a time, as the reference tokenizer does (no final-sigma rule).
            var lowered = ""
            for scalar in word.unicodeScalars { lowered += scalar.properties.lowercaseMapping }
            let folded = lowered.decomposedStringWithCanonicalMapping
            var current = String.UnicodeScalarView()
            for scalar in folded.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                if isPunctuation(scalar) {
                    if !current.isEmpty { tokens.append(String(current)) }
                    current = String.UnicodeScalarView()
                    tokens.append(String(scalar))
                } else {
                    current.append(scalar)
                }
            }
            if !current.isEmpty { tokens.append(String(current)) }
        }
        return tokens
    }

    /// Greedy longest-match-first WordPiece of one word.
    private func wordPieces(_ word: String) -> [Int32] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= Self.maxWordCharacters else { return [unknown] }
        var pieces: [Int32] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: Int32?
            while start < end {
                var piece = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { piece = "##" + piece }
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else { return [unknown] }
            pieces.append(found)
            start = end
        }
        return pieces
    }

    /// Spaces of every kind, line and paragraph separators included (as the reference does).
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// Control and format characters (BERT drops them), but not tab, newline and carriage return.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar != "\t", scalar != "\n", scalar != "\r" else { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII symbols count as punctuation too (`$`, `+`, `^`, …), as in BERT.
    private static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value)
            || (123...126).contains(value)
        {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
            .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The CJK ideograph blocks BERT splits into single characters (not kana or hangul).
    private static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
