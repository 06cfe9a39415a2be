/// Properties of one token, gathered while tokenizing.
struct TokenFlags: OptionSet, Sendable {
    let rawValue: UInt8
    /// Inside quotes, backticks or a code fence.
    static let quoted = TokenFlags(rawValue: 1 << 0)
    /// Mixes Latin letters with folded Cyrillic or Greek look-alikes.
    static let mixedScript = TokenFlags(rawValue: 1 << 1)
    static let hasDigit = TokenFlags(rawValue: 1 << 2)
    static let hasLetter = TokenFlags(rawValue: 1 << 3)
}

/// A word of the folded text: `scalars[start..<end]`.
struct Token: Sendable {
    var start: Int32
    var end: Int32
    /// Sentence number: phrase rules never match across a sentence end or a blank line.
    var sentence: Int32
    var flags: TokenFlags

    var length: Int { Int(end - start) }
}

/// Text after NFKC, look-alike folding, lowercasing and accent stripping, cut into tokens.
///
/// Phrase rules match token sequences, so case, spacing, punctuation and accents do not matter.
/// Apostrophes, hyphens and underscores split words ("don't" → "don", "t"); the phrase lists go
/// through the same folding, so they split the same way. Han and kana characters are one token
/// each because those scripts put no spaces between words.
struct FoldedText: Sendable {
    /// The folded scalars; rebuilt words ("i g n o r e" → "ignore") are appended after `textEnd`.
    var scalars: [UInt32]
    /// End of the folded text proper in `scalars`.
    var textEnd: Int
    var tokens: [Token]
    /// Scalar ranges inside quotes, backticks or code fences, in order.
    var quotedRanges: [Range<Int>]
    /// Tokens that mix Latin letters with Cyrillic or Greek look-alikes.
    var mixedScriptWords: Int

    init(_ text: String) {
        // NFKC folds full-width letters, ligatures, mathematical alphanumerics and the like into
        // plain letters.
        let (scalars, lookalikes) = ScalarFolding.fold(CompatibilityFolding.nfkc(text))
        var tokenizer = Tokenizer(scalars: scalars, lookalikes: lookalikes)
        tokenizer.run()
        self.textEnd = scalars.count
        self.scalars = scalars
        self.tokens = tokenizer.tokens
        self.quotedRanges = tokenizer.quotedRanges
        self.mixedScriptWords = tokenizer.tokens.lazy.filter { $0.flags.contains(.mixedScript) }.count
        mergeSpelledOutWords()
    }

    /// The scalars of one token.
    func scalars(of token: Token) -> ArraySlice<UInt32> {
        scalars[Int(token.start)..<Int(token.end)]
    }

    /// Whether the scalar at `index` lies inside quotes or code.
    func isQuoted(scalarAt index: Int) -> Bool {
        var low = 0
        var high = quotedRanges.count
        while low < high {
            let middle = (low + high) / 2
            let range = quotedRanges[middle]
            if range.upperBound <= index {
                low = middle + 1
            } else if range.lowerBound > index {
                high = middle
            } else {
                return true
            }
        }
        return false
    }

    /// Joins runs of single letters written apart with one repeated separator ("i g n o r e",
    /// "I-g-n-o-r-e") into one token, so that spelling a word out does not hide it.
    private mutating func mergeSpelledOutWords() {
        guard hasSpelledOutRun() else { return }
        var merged: [Token] = []
        merged.reserveCapacity(tokens.count)
        var index = 0
        while index < tokens.count {
            let runEnd = spelledOutRunEnd(from: index)
            guard runEnd - index >= 3 else {
                merged.append(tokens[index])
                index += 1
                continue
            }
            let start = Int32(scalars.count)
            for position in index..<runEnd { scalars.append(scalars[Int(tokens[position].start)]) }
            let flags: TokenFlags = [.hasLetter]
            merged.append(
                Token(start: start, end: Int32(scalars.count), sentence: tokens[index].sentence, flags: flags)
            )
            index = runEnd
        }
        tokens = merged
    }

    /// Whether two single letters stand next to each other anywhere (the merge is then needed).
    private func hasSpelledOutRun() -> Bool {
        var previousWasLetter = false
        for token in tokens {
            let isLetter = isSingleLatinLetter(token)
            if isLetter, previousWasLetter { return true }
            previousWasLetter = isLetter
        }
        return false
    }

    /// End (exclusive) of the run of spelled-out letters starting at token `index`.
    private func spelledOutRunEnd(from index: Int) -> Int {
        guard isSingleLatinLetter(tokens[index]) else { return index + 1 }
        var separator: UInt32?
        var end = index + 1
        while end < tokens.count, isSingleLatinLetter(tokens[end]) {
            let previous = tokens[end - 1]
            let current = tokens[end]
            guard current.start == previous.end + 1, current.sentence == previous.sentence else { break }
            let between = scalars[Int(previous.end)]
            if let separator, separator != between { break }
            separator = between
            end += 1
        }
        return end
    }

    private func isSingleLatinLetter(_ token: Token) -> Bool {
        guard token.length == 1 else { return false }
        let value = scalars[Int(token.start)]
        return value >= 0x61 && value <= 0x7A
    }
}
