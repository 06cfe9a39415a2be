/// What the filter does at one position; lengths are in bytes.
enum FilterDecision {
    case replace(ruleIndex: Int, length: Int)
    case stop(ruleIndex: Int)
}

/// Content filter rules in matchable form.
///
/// Not `Sendable` because Swift's `Regex` is not; build one per stream from the `Sendable`
/// ``ContentFilterRules``.
struct CompiledContentFilter {
    struct Term {
        let ruleIndex: Int
        let folded: [Unicode.Scalar]
        let wholeWord: Bool
        let stops: Bool
    }

    struct Pattern {
        let ruleIndex: Int
        let regex: Regex<AnyRegexOutput>
        let maximumBytes: Int
        let stops: Bool
    }

    let rules: [ContentFilterRule]
    let terms: [Term]
    let patterns: [Pattern]
    /// Folded first scalars of the terms, for the cheap skip of positions no term can start at:
    /// ASCII ones as a bit set, the others in a set.
    private let asciiTermStarts: (low: UInt64, high: UInt64)
    private let otherTermStarts: Set<Unicode.Scalar>
    /// The most bytes the filter can hold back while a decision is pending.
    let maximumHeldBytes: Int

    init(_ rules: ContentFilterRules) throws(ContentFilterError) {
        var terms: [Term] = []
        var patterns: [Pattern] = []
        for (index, rule) in rules.rules.enumerated() {
            switch rule.matcher {
            case .term(let text, let wholeWord):
                terms.append(
                    try Self.compileTerm(text, ruleIndex: index, id: rule.id, wholeWord: wholeWord, stops: rule.stops)
                )
            case .pattern(let source, let maxMatchLength, let caseInsensitive):
                patterns.append(
                    try Self.compilePattern(
                        source,
                        ruleIndex: index,
                        id: rule.id,
                        maximumBytes: maxMatchLength,
                        caseInsensitive: caseInsensitive,
                        stops: rule.stops
                    )
                )
            }
        }
        self.rules = rules.rules
        self.terms = terms
        self.patterns = patterns
        var asciiStarts: (low: UInt64, high: UInt64) = (0, 0)
        var otherStarts: Set<Unicode.Scalar> = []
        for first in terms.compactMap(\.folded.first) {
            switch first.value {
            case 0..<64: asciiStarts.low |= 1 << UInt64(first.value)
            case 64..<128: asciiStarts.high |= 1 << UInt64(first.value - 64)
            default: otherStarts.insert(first)
            }
        }
        asciiTermStarts = asciiStarts
        otherTermStarts = otherStarts
        // A pending term holds less than its length plus one scalar (the word boundary), at most 4
        // bytes each; a pending pattern less than its window plus the 3 bytes of a character that
        // straddles the window's end.
        let termBytes = (terms.map(\.folded.count).max() ?? 0) * 4 + 4
        maximumHeldBytes = max(termBytes, (patterns.map(\.maximumBytes).max() ?? 0) + 3)
    }

    private static func compileTerm(
        _ text: String,
        ruleIndex: Int,
        id: String,
        wholeWord: Bool,
        stops: Bool
    ) throws(ContentFilterError) -> Term {
        let folded = text.unicodeScalars.map(FilterScalars.folded)
        guard !folded.isEmpty else { throw .emptyTerm(ruleID: id) }
        guard folded.count <= ContentFilterRules.maximumTermLength else {
            throw .termTooLong(ruleID: id, limit: ContentFilterRules.maximumTermLength)
        }
        return Term(ruleIndex: ruleIndex, folded: folded, wholeWord: wholeWord, stops: stops)
    }

    private static func compilePattern(
        _ source: String,
        ruleIndex: Int,
        id: String,
        maximumBytes: Int,
        caseInsensitive: Bool,
        stops: Bool
    ) throws(ContentFilterError) -> Pattern {
        guard maximumBytes >= 1, maximumBytes <= ContentFilterRules.maximumPatternWindow else {
            throw .invalidMaxMatchLength(ruleID: id, limit: ContentFilterRules.maximumPatternWindow)
        }
        do {
            let regex = try Regex(source).matchingSemantics(.unicodeScalar).ignoresCase(caseInsensitive)
            return Pattern(ruleIndex: ruleIndex, regex: regex, maximumBytes: maximumBytes, stops: stops)
        } catch {
            throw .invalidPattern(ruleID: id, reason: String(describing: error))
        }
    }

    /// Whether a rule can match at the unit starting with `byte` (a cheap test before
    /// ``decide(_:)``; for non-ASCII starts it only says whether any term starts non-ASCII).
    @inline(__always)
    func mayStart(with byte: UInt8) -> Bool {
        if !patterns.isEmpty { return true }
        if byte >= 0x80 { return !otherTermStarts.isEmpty }
        let folded = byte &- 0x41 < 26 ? byte | 0x20 : byte
        let bits = folded < 64 ? asciiTermStarts.low >> UInt64(folded) : asciiTermStarts.high >> UInt64(folded - 64)
        return bits & 1 != 0
    }

    /// The decision at the window's position, or nil to pass its unit through.
    func decide(_ window: FilterTextWindow) throws(FilterNeedMoreInput) -> FilterDecision? {
        var choice = Choice()
        for term in terms {
            choice.consider(term.ruleIndex, length: try termLength(term, window), stops: term.stops)
        }
        for pattern in patterns {
            choice.consider(pattern.ruleIndex, length: try patternLength(pattern, window), stops: pattern.stops)
        }
        return choice.decision
    }

    /// The winner among the matches at one position: the first stop rule, else the longest
    /// replacement (earlier rules win ties, as rules are considered in order within each kind).
    private struct Choice {
        var stopRule: Int?
        var longest: (ruleIndex: Int, length: Int)?

        mutating func consider(_ ruleIndex: Int, length: Int?, stops: Bool) {
            guard let length, length > 0 else { return }
            if stops {
                stopRule = min(stopRule ?? ruleIndex, ruleIndex)
            } else if let current = longest {
                if length > current.length || (length == current.length && ruleIndex < current.ruleIndex) {
                    longest = (ruleIndex, length)
                }
            } else {
                longest = (ruleIndex, length)
            }
        }

        var decision: FilterDecision? {
            if let stopRule { return .stop(ruleIndex: stopRule) }
            guard let longest else { return nil }
            return .replace(ruleIndex: longest.ruleIndex, length: longest.length)
        }
    }

    /// The byte length of `term` at the window's position, if it matches there.
    private func termLength(_ term: Term, _ window: FilterTextWindow) throws(FilterNeedMoreInput) -> Int? {
        var index = window.start
        for expected in term.folded {
            guard let unit = try window.unit(at: index), FilterScalars.folded(unit.scalar) == expected else {
                return nil
            }
            index += unit.length
        }
        if term.wholeWord {
            if FilterScalars.isWord(window.previousScalar) { return nil }
            if FilterScalars.isWord(try window.unit(at: index)?.scalar) { return nil }
        }
        return index - window.start
    }

    /// Tries the pattern against the units that fit in its byte window from the position.
    private func patternLength(_ pattern: Pattern, _ window: FilterTextWindow) throws(FilterNeedMoreInput) -> Int? {
        // Until the window is full (or the text ends) a later byte could still change the match.
        if !window.isFinal, window.availableEnd - window.start < pattern.maximumBytes { throw FilterNeedMoreInput() }
        var windowEnd = window.start
        var isWellFormed = true
        while let unit = try window.unit(at: windowEnd), windowEnd + unit.length - window.start <= pattern.maximumBytes
        {
            isWellFormed = isWellFormed && (unit.length > 1 || window.bytes[windowEnd] < 0x80)
            windowEnd += unit.length
        }
        guard isWellFormed else { return try slowPatternLength(pattern, window, windowEnd: windowEnd) }
        // Well-formed bytes decode to the same scalars, so byte offsets carry over directly.
        let text = String(
            decoding: UnsafeBufferPointer(rebasing: window.bytes[window.start..<windowEnd]),
            as: UTF8.self
        )
        guard let match = try? pattern.regex.prefixMatch(in: text) else { return nil }
        return text.utf8.distance(from: text.startIndex, to: match.range.upperBound)
    }

    /// As `patternLength`, for windows holding bytes that are not well-formed UTF-8: each such byte
    /// is one U+FFFD scalar, and the match is mapped back to bytes unit by unit.
    private func slowPatternLength(
        _ pattern: Pattern,
        _ window: FilterTextWindow,
        windowEnd: Int
    ) throws(FilterNeedMoreInput) -> Int? {
        var subject = String.UnicodeScalarView()
        var index = window.start
        while index < windowEnd, let unit = try window.unit(at: index) {
            subject.append(unit.scalar)
            index += unit.length
        }
        let text = String(subject)
        guard let match = try? pattern.regex.prefixMatch(in: text) else { return nil }
        let matchedScalars = text.unicodeScalars.distance(from: text.startIndex, to: match.range.upperBound)
        var end = window.start
        for _ in 0..<matchedScalars {
            guard let unit = try window.unit(at: end) else { break }
            end += unit.length
        }
        return end - window.start
    }
}
