/// Finds role headers at the start of a line: `### System:`, `[SYSTEM]`, `=== SYSTEM MESSAGE ===`,
/// `SYSTEM: you are now…`, `Assistant: sure, …`.
///
/// Configuration and logs use the same words as keys (`system: linux`, `system:` followed by an
/// indented block), so a header without markup counts only when what follows reads as prose:
/// three or more words on the line, not quoted, or an unindented non-key line after an empty
/// value. Indented lines never count.
struct HeaderScanner {
    let rules: InjectionRules
    let text: FoldedText

    private static let longestPhrase = 40
    private static let mostWords = 4

    func scan(into signals: inout [InjectionSignal]) {
        guard !rules.headers.isEmpty else { return }
        var lineStart = 0
        while lineStart < text.textEnd {
            let lineEnd = endOfLine(from: lineStart)
            if let signal = header(in: lineStart..<lineEnd) { signals.append(signal) }
            lineStart = lineEnd + 1
        }
    }

    private func header(in line: Range<Int>) -> InjectionSignal? {
        guard !line.isEmpty, !isBlank(text.scalars[line.lowerBound]) else { return nil }
        let markupEnd = skipMarkup(in: line)
        let markup = markupEnd - line.lowerBound
        guard markup != 1 || !isBullet(text.scalars[line.lowerBound]) else { return nil }
        guard let found = longestHeader(from: markupEnd, in: line) else { return nil }
        if markup == 0 {
            guard text.scalars[found.terminator] == 0x3A else { return nil }  // ":"
            guard readsAsProse(after: found.terminator + 1, in: line) else { return nil }
        }
        let factor = text.isQuoted(scalarAt: line.lowerBound) ? rules.cues.mentionDamping : 1
        return InjectionSignal(family: .fakeDelimiter, rule: found.rule.id, weight: found.rule.weight * factor)
    }

    /// The longest header name starting at `start` that a terminator (or the line end) follows.
    /// Words of a name are separated by one space or underscore.
    private func longestHeader(from start: Int, in line: Range<Int>) -> (rule: NamedRule, terminator: Int)? {
        // The name is hashed as it is read (as `TermIndex.hash` of its lowercase words joined by
        // one space), so lines that are not headers cost no allocation.
        var hash = TermIndex.hash([UInt32]())
        var cursor = start
        var best: (rule: NamedRule, terminator: Int)?
        for _ in 0..<HeaderScanner.mostWords {
            let wordStart = cursor
            while cursor < line.upperBound, cursor - start < HeaderScanner.longestPhrase, isLetter(text.scalars[cursor])
            {
                hash = TermIndex.hash(adding: text.scalars[cursor], to: hash)
                cursor += 1
            }
            guard cursor > wordStart else { break }
            var after = cursor
            while after < line.upperBound, text.scalars[after] == 0x20 { after += 1 }
            if after == line.upperBound || isTerminator(text.scalars[after]), let rule = rules.headers[hash] {
                best = (rule, min(after, line.upperBound - 1))
            }
            let separator = cursor < line.upperBound ? text.scalars[cursor] : 0
            guard separator == 0x20 || separator == 0x5F, cursor + 1 < line.upperBound,
                isLetter(text.scalars[cursor + 1])
            else { break }
            hash = TermIndex.hash(adding: 0x20, to: hash)
            cursor += 1
        }
        return best
    }

    /// Whether the value after a bare `name:` reads as a sentence rather than a config value.
    private func readsAsProse(after start: Int, in line: Range<Int>) -> Bool {
        var cursor = start
        while cursor < line.upperBound, isBlank(text.scalars[cursor]) { cursor += 1 }
        guard cursor < line.upperBound else { return nextLineIsProse(after: line.upperBound) }
        let first = text.scalars[cursor]
        if HeaderScanner.valueOpeners.contains(first) || (first >= 0x30 && first <= 0x39) { return false }
        return wordCount(in: cursor..<line.upperBound) >= 3
    }

    private func nextLineIsProse(after lineEnd: Int) -> Bool {
        var start = lineEnd + 1
        while start < text.textEnd {
            let end = endOfLine(from: start)
            if end > start, !(start..<end).allSatisfy({ isBlank(text.scalars[$0]) }) {
                let first = text.scalars[start]
                guard !isBlank(first), first != 0x2D else { return false }  // indented or "- item"
                return !looksLikeKey(start..<end) && wordCount(in: start..<end) >= 3
            }
            start = end + 1
        }
        return false
    }

    /// `key: value` or `key:` within the first few characters, as in YAML.
    private func looksLikeKey(_ line: Range<Int>) -> Bool {
        let window = line.lowerBound..<min(line.upperBound, line.lowerBound + 24)
        for index in window where text.scalars[index] == 0x3A {
            return (line.lowerBound..<index).allSatisfy { isLetter(text.scalars[$0]) || text.scalars[$0] == 0x5F }
        }
        return false
    }

    private func wordCount(in range: Range<Int>) -> Int {
        var count = 0
        var inWord = false
        for index in range {
            let isWordScalar = !isBlank(text.scalars[index])
            if isWordScalar, !inWord { count += 1 }
            inWord = isWordScalar
        }
        return count
    }

    private func skipMarkup(in line: Range<Int>) -> Int {
        var cursor = line.lowerBound
        while cursor < line.upperBound,
            HeaderScanner.markup.contains(text.scalars[cursor])
                || (cursor > line.lowerBound && isBlank(text.scalars[cursor]))
        {
            cursor += 1
        }
        return cursor
    }

    private func endOfLine(from start: Int) -> Int {
        var index = start
        while index < text.textEnd, text.scalars[index] != 0x0A { index += 1 }
        return index
    }

    private func isLetter(_ value: UInt32) -> Bool { value >= 0x61 && value <= 0x7A }
    private func isBlank(_ value: UInt32) -> Bool { value == 0x20 || value == 0x09 || value == 0x0D }
    /// A lone "-" or "*" starts a list item, not a header.
    private func isBullet(_ value: UInt32) -> Bool { value == 0x2D || value == 0x2A }
    private func isTerminator(_ value: UInt32) -> Bool { HeaderScanner.terminators.contains(value) }

    /// `# * = - [ ( > | ~`
    private static let markup: Set<UInt32> = [0x23, 0x2A, 0x3D, 0x2D, 0x5B, 0x28, 0x3E, 0x7C, 0x7E]
    /// `: ] ) = * # > - |`
    private static let terminators: Set<UInt32> = [0x3A, 0x5D, 0x29, 0x3D, 0x2A, 0x23, 0x3E, 0x2D, 0x7C]
    /// Quotes, brackets and YAML indicators that start a configuration value.
    private static let valueOpeners: Set<UInt32> = [0x22, 0x27, 0x7B, 0x5B, 0x7C, 0x3E, 0x26, 0x2A, 0x21, 0x60]
}
