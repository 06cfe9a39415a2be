import Foundation

/// Refuses a semantic match when the words the two prompts do not share carry meaning a
/// paraphrase would keep. Sentence embeddings put opposites close together ("more efficient" and
/// "less efficient" score about 0.996), so a similarity test alone serves wrong answers.
///
/// Both prompts are lower-cased and NFKC-folded (which also folds full-width and other
/// compatibility forms), contractions ending in `n't` become `not`, quoted strings are compared
/// whole, and the remaining words are compared as sets. A word found in only one prompt refuses
/// the match when it is: a number (digits, or a number word), a negation (or a word that is the
/// other prompt's word with a negating prefix: "efficient" / "inefficient"), a comparative or
/// superlative (listed, or `-er`/`-est` of the other prompt's word), a quantifier, a relative
/// time, a unit, or one half of an antonym pair whose other half the other prompt has. The word
/// lists are data (`GuardWords.json`, docs/configuration.md "cache.semantic").
public struct MeaningGuard: Sendable {
    public struct Words: Sendable, Decodable {
        var negations: [String]
        var negation_prefixes: [String]
        var comparatives: [String]
        var quantifiers: [String]
        var relative_time: [String]
        var units: [String]
        var antonyms: [[String]]
    }

    private let negations: Set<String>
    private let negationPrefixes: [String]
    private let comparatives: Set<String>
    private let quantifiers: Set<String>
    private let relativeTime: Set<String>
    private let units: Set<String>
    private let antonyms: [String: Set<String>]

    static let numberWords: Set<String> = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
        "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion",
        "first", "second", "third", "fourth", "fifth", "tenth", "dozen",
    ]

    public init(words: Words) {
        negations = Set(words.negations)
        negationPrefixes = words.negation_prefixes.sorted { $0.count > $1.count }
        comparatives = Set(words.comparatives)
        quantifiers = Set(words.quantifiers)
        relativeTime = Set(words.relative_time)
        units = Set(words.units)
        var antonyms: [String: Set<String>] = [:]
        for pair in words.antonyms where pair.count == 2 {
            antonyms[pair[0], default: []].insert(pair[1])
            antonyms[pair[1], default: []].insert(pair[0])
        }
        self.antonyms = antonyms
    }

    /// The guard with the shipped English word lists.
    public static let english: MeaningGuard? = {
        let words = try? JSONDecoder().decode(Words.self, from: Data(PackageResources.GuardWords_json))
        return words.map(MeaningGuard.init(words:))
    }()

    /// Why `a` and `b` must not share an answer (`number`, `quoted`, `negation`, `comparative`,
    /// `quantifier`, `time`, `unit`, `antonym`), or `nil` when nothing the guard knows differs.
    public func refusal(_ a: String, _ b: String) -> String? {
        let (left, right) = (Prompt(a), Prompt(b))
        if left.quoted != right.quoted { return "quoted" }
        let onlyLeft = left.words.subtracting(right.words)
        let onlyRight = right.words.subtracting(left.words)
        for (word, other) in onlyLeft.map({ ($0, right.words) }) + onlyRight.map({ ($0, left.words) }) {
            if let reason = meaning(of: word, other: other) { return reason }
        }
        return nil
    }

    private func meaning(of word: String, other: Set<String>) -> String? {
        if word.unicodeScalars.contains(where: { CharacterSet.decimalDigits.contains($0) })
            || Self.numberWords.contains(word)
        {
            return "number"
        }
        if negations.contains(word) { return "negation" }
        for prefix in negationPrefixes where word.count > prefix.count + 2 && word.hasPrefix(prefix) {
            if other.contains(String(word.dropFirst(prefix.count))) { return "negation" }
        }
        for prefix in negationPrefixes where word.count >= 3 && other.contains(prefix + word) { return "negation" }
        if comparatives.contains(word) || isGraded(word, other) { return "comparative" }
        if quantifiers.contains(word) { return "quantifier" }
        if relativeTime.contains(word) { return "time" }
        if units.contains(word) { return "unit" }
        if let opposites = antonyms[word], !opposites.isDisjoint(with: other) { return "antonym" }
        return nil
    }

    /// `word` is the comparative or superlative of a word in `other` (or the reverse):
    /// cheap/cheaper/cheapest, big/bigger, easy/easier.
    private func isGraded(_ word: String, _ other: Set<String>) -> Bool {
        for candidate in other {
            if Self.grades(candidate).contains(word) || Self.grades(word).contains(candidate) { return true }
        }
        return false
    }

    private static func grades(_ base: String) -> [String] {
        guard base.count >= 3 else { return [] }
        var forms = [base + "er", base + "est", base + "r", base + "st"]
        if base.hasSuffix("y") { forms += [base.dropLast() + "ier", base.dropLast() + "iest"] }
        if let last = base.last { forms += [base + String(last) + "er", base + String(last) + "est"] }
        return forms
    }
}

/// A prompt as the guard compares it: its quoted strings, and its other words.
struct Prompt {
    var quoted: [String] = []
    var words: Set<String> = []

    init(_ text: String) {
        var folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        for (from, to) in [
            ("’", "'"), ("‘", "'"), ("“", "\""), ("”", "\""), ("won't", "will not"), ("can't", "can not"),
        ] {
            folded = folded.replacingOccurrences(of: from, with: to)
        }
        folded = folded.replacingOccurrences(of: "n't", with: " not")
        var rest = ""
        var closing: Character?
        var current = ""
        var previous: Character = " "
        let characters = Array(folded)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            if let quote = closing {
                // A closing quote ends a word: "it's" inside a quoted string does not close it.
                if character == quote, quote == "\"" || !next.isLetter && !next.isNumber {
                    quoted.append(current)
                    current = ""
                    closing = nil
                } else {
                    current.append(character)
                }
            } else if Self.opensQuote(character, previous: previous, next: next) {
                closing = character
            } else {
                rest.append(character)
            }
            previous = character
        }
        if closing != nil { rest += current }
        quoted.sort()
        var word = ""
        for scalar in rest.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) || scalar == "." && word.last?.isNumber == true
                || "°$€£¥%".unicodeScalars.contains(scalar)
            {
                if "$€£¥%".unicodeScalars.contains(scalar) {
                    if !word.isEmpty { words.insert(Self.trimmed(word)) }
                    words.insert(String(scalar))
                    word = ""
                } else {
                    word.unicodeScalars.append(scalar)
                }
            } else if !word.isEmpty {
                words.insert(Self.trimmed(word))
                word = ""
            }
        }
        if !word.isEmpty { words.insert(Self.trimmed(word)) }
        words.remove("")
    }

    /// `"` always opens a quote; `'` and `` ` `` only at the start of a word, so that apostrophes
    /// ("it's", "users'") do not.
    private static func opensQuote(_ character: Character, previous: Character, next: Character) -> Bool {
        switch character {
        case "\"": true
        case "'", "`": !(previous.isLetter || previous.isNumber) && !next.isWhitespace
        default: false
        }
    }

    /// A word without a sentence's final period ("3.5." → "3.5").
    private static func trimmed(_ word: String) -> String {
        word.hasSuffix(".") ? String(word.dropLast()) : word
    }
}
