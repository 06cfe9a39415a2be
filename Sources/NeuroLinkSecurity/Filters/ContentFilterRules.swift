/// One content filter rule: what to look for and what to do when it is found.
public struct ContentFilterRule: Sendable, Equatable {
    /// What a rule looks for.
    public enum Matcher: Sendable, Equatable {
        /// A literal term, compared case-insensitively (simple one-to-one lower-casing of each Unicode
        /// scalar). With `wholeWord`, the scalars just before and after the term must not be word
        /// scalars (letters, digits, combining marks, `_`).
        case term(String, wholeWord: Bool)
        /// A regular expression (Swift `Regex` syntax, matched with Unicode-scalar semantics) tried at
        /// each position against at most `maxMatchLength` UTF-8 bytes of text starting there. The
        /// pattern sees no text before the position, so `^` and `\b` at its start hold at every
        /// position; use a term rule for whole words.
        case pattern(String, maxMatchLength: Int, caseInsensitive: Bool)
    }

    /// What happens on a match.
    public enum Action: Sendable, Equatable {
        /// The matched text is replaced.
        case replace(with: String)
        /// The text before the match is released and everything from the match on is dropped.
        case stop
    }

    /// The replacement used when none is given.
    public static let defaultReplacement = "[FILTERED]"

    /// Reported when a stop rule fires; never the matched text.
    public var id: String
    public var matcher: Matcher
    public var action: Action

    /// Creates a rule.
    public init(id: String, matcher: Matcher, action: Action = .replace(with: ContentFilterRule.defaultReplacement)) {
        self.id = id
        self.matcher = matcher
        self.action = action
    }

    /// Whether the rule's action is ``Action/stop``.
    var stops: Bool {
        if case .stop = action { return true }
        return false
    }

    /// A blocklisted term, whole-word and case-insensitive by default.
    public static func term(
        _ text: String,
        id: String,
        wholeWord: Bool = true,
        action: Action = .replace(with: ContentFilterRule.defaultReplacement)
    ) -> ContentFilterRule {
        ContentFilterRule(id: id, matcher: .term(text, wholeWord: wholeWord), action: action)
    }

    /// A regular expression whose matches are at most `maxMatchLength` UTF-8 bytes long.
    public static func pattern(
        _ source: String,
        maxMatchLength: Int,
        id: String,
        caseInsensitive: Bool = false,
        action: Action = .replace(with: ContentFilterRule.defaultReplacement)
    ) -> ContentFilterRule {
        ContentFilterRule(
            id: id,
            matcher: .pattern(source, maxMatchLength: maxMatchLength, caseInsensitive: caseInsensitive),
            action: action
        )
    }
}

/// An ordered list of content filter rules.
///
/// At each position of the text, if any stop rule matches there the first such rule (in list order)
/// stops the stream; otherwise the longest replace match wins, ties going to the rule listed first.
/// Empty matches are ignored. The scan then resumes after the replaced text.
public struct ContentFilterRules: Sendable, Equatable {
    /// The longest term accepted, in Unicode scalars.
    public static let maximumTermLength = 256
    /// The largest `maxMatchLength` accepted for a pattern, in bytes.
    public static let maximumPatternWindow = 4096

    public var rules: [ContentFilterRule]

    /// No rules: text passes through unchanged.
    public static let none = ContentFilterRules(rules: [])

    public init(rules: [ContentFilterRule]) {
        self.rules = rules
    }

    /// Checks every rule (non-empty terms within the length limit, patterns that compile, windows
    /// within the limit) without keeping the compiled form.
    public func validate() throws(ContentFilterError) {
        _ = try CompiledContentFilter(self)
    }
}

/// Which rule stopped a stream.
public struct ContentFilterStop: Sendable, Equatable {
    /// The rule's position in ``ContentFilterRules/rules``.
    public let ruleIndex: Int
    /// The rule's ``ContentFilterRule/id``.
    public let ruleID: String

    public init(ruleIndex: Int, ruleID: String) {
        self.ruleIndex = ruleIndex
        self.ruleID = ruleID
    }
}

/// A rule that cannot be used.
public enum ContentFilterError: Error, Sendable, Equatable {
    /// A term with no characters.
    case emptyTerm(ruleID: String)
    /// A term longer than `limit` Unicode scalars.
    case termTooLong(ruleID: String, limit: Int)
    /// A pattern window outside 1...`limit` bytes.
    case invalidMaxMatchLength(ruleID: String, limit: Int)
    /// A pattern that `Regex` cannot compile; `reason` is its error.
    case invalidPattern(ruleID: String, reason: String)
}

/// The result of filtering a whole text.
public struct ContentFilterResult: Sendable, Equatable {
    /// The filtered text (up to the stop, if one fired).
    public var text: String
    /// The stop rule that fired, if any.
    public var stop: ContentFilterStop?
    /// How many matches were replaced.
    public var replacementCount: Int
}
