import NeuroLinkBasics

/// Tokens of one request: estimated at admission, actual when the stream ends.
public struct TokenUsage: Sendable, Hashable {
    public var input: Int
    public var output: Int

    public init(input: Int, output: Int) {
        self.input = max(0, input)
        self.output = max(0, output)
    }

    public static let zero = TokenUsage(input: 0, output: 0)

    /// Input plus output, saturating at `Int.max` (the counts come from providers).
    public var total: Int { input.addingSaturating(output) }

    /// The count for a token dimension (`requests` counts 1).
    public subscript(dimension: LimitDimension) -> Int {
        switch dimension {
        case .requests: 1
        case .tokens: total
        case .inputTokens: input
        case .outputTokens: output
        }
    }
}

/// Estimates a request's tokens before it runs, so token limits can admit it; the estimate is
/// reconciled with the real usage when the stream ends.
public struct TokenEstimator: Sendable, Hashable {
    /// Characters per input token (`chars_per_token`); 4 is the usual figure for English text.
    public var charsPerToken = 4.0
    /// Output tokens assumed when a request sets no `maxTokens`.
    public var defaultOutputTokens = 1024

    public init() {}

    /// Input: characters / `charsPerToken` rounded up (or the caller's own count); output: the
    /// request's `maxTokens`, which is what the provider may bill at most, else the default.
    public func estimate(inputCharacters: Int, inputTokens: Int? = nil, maxOutputTokens: Int?) -> TokenUsage {
        TokenUsage(
            input: inputTokens ?? tokens(characters: inputCharacters),
            output: maxOutputTokens ?? defaultOutputTokens
        )
    }

    /// `characters` / `charsPerToken`, rounded up.
    public func tokens(characters: Int) -> Int {
        let perToken = charsPerToken > 0 && charsPerToken.isFinite ? charsPerToken : 4
        return Int(saturating: Double(max(0, characters)) / perToken, rounding: .up)
    }

    /// Optional values merged over a preset, key by key.
    public struct Overrides: Sendable, Hashable {
        public var charsPerToken: Double?
        public var defaultOutputTokens: Int?

        public init(charsPerToken: Double? = nil, defaultOutputTokens: Int? = nil) {
            self.charsPerToken = charsPerToken
            self.defaultOutputTokens = defaultOutputTokens
        }

        /// These values where set, `base`'s elsewhere.
        public func merged(over base: Overrides) -> Overrides {
            Overrides(
                charsPerToken: charsPerToken ?? base.charsPerToken,
                defaultOutputTokens: defaultOutputTokens ?? base.defaultOutputTokens
            )
        }

        /// `base` with these values applied.
        public func applied(to base: TokenEstimator) -> TokenEstimator {
            var estimator = base
            estimator.charsPerToken = charsPerToken ?? base.charsPerToken
            estimator.defaultOutputTokens = defaultOutputTokens ?? base.defaultOutputTokens
            return estimator
        }
    }
}
