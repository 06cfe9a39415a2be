import NeuroLinkBasics

/// The limits of one scope, resolved: `nil` means no limit of that kind.
public struct ScopeLimits: Sendable, Hashable {
    /// Requests per second or minute, with a burst.
    public var requests: RateLimit?
    /// Input plus output tokens per minute.
    public var tokens: RateLimit?
    /// Input tokens per minute.
    public var inputTokens: RateLimit?
    /// Output tokens per minute.
    public var outputTokens: RateLimit?
    /// Requests in flight at once.
    public var maxInFlight: Int?

    public init(
        requests: RateLimit? = nil,
        tokens: RateLimit? = nil,
        inputTokens: RateLimit? = nil,
        outputTokens: RateLimit? = nil,
        maxInFlight: Int? = nil
    ) {
        self.requests = requests
        self.tokens = tokens
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.maxInFlight = maxInFlight
    }

    /// No limits at all.
    public static let unlimited = ScopeLimits()

    /// Whether no limit is set.
    public var isUnlimited: Bool { self == .unlimited }

    /// The rate limit for `dimension`.
    public subscript(dimension: LimitDimension) -> RateLimit? {
        switch dimension {
        case .requests: requests
        case .tokens: tokens
        case .inputTokens: inputTokens
        case .outputTokens: outputTokens
        }
    }
}

/// The limits of one scope as configured: every field optional so that a value set here replaces the
/// preset's value for that key alone, and ``LimitSetting/unlimited`` lifts a preset's limit.
public struct ScopeLimitSettings: Sendable, Hashable {
    /// `requests_per_second` or `requests_per_minute`.
    public var requestRate: LimitSetting<Rate>?
    /// `burst`: requests allowed at once beyond the rate; unset: one second's worth (at least 1).
    public var burst: Int?
    /// `tokens_per_minute` (input plus output).
    public var tokensPerMinute: LimitSetting<Int>?
    /// `input_tokens_per_minute`.
    public var inputTokensPerMinute: LimitSetting<Int>?
    /// `output_tokens_per_minute`.
    public var outputTokensPerMinute: LimitSetting<Int>?
    /// `max_in_flight`.
    public var maxInFlight: LimitSetting<Int>?

    public init(
        requestRate: LimitSetting<Rate>? = nil,
        burst: Int? = nil,
        tokensPerMinute: LimitSetting<Int>? = nil,
        inputTokensPerMinute: LimitSetting<Int>? = nil,
        outputTokensPerMinute: LimitSetting<Int>? = nil,
        maxInFlight: LimitSetting<Int>? = nil
    ) {
        self.requestRate = requestRate
        self.burst = burst
        self.tokensPerMinute = tokensPerMinute
        self.inputTokensPerMinute = inputTokensPerMinute
        self.outputTokensPerMinute = outputTokensPerMinute
        self.maxInFlight = maxInFlight
    }

    /// These values where set, `base`'s elsewhere.
    public func merged(over base: ScopeLimitSettings) -> ScopeLimitSettings {
        ScopeLimitSettings(
            requestRate: requestRate ?? base.requestRate,
            burst: burst ?? base.burst,
            tokensPerMinute: tokensPerMinute ?? base.tokensPerMinute,
            inputTokensPerMinute: inputTokensPerMinute ?? base.inputTokensPerMinute,
            outputTokensPerMinute: outputTokensPerMinute ?? base.outputTokensPerMinute,
            maxInFlight: maxInFlight ?? base.maxInFlight
        )
    }

    /// The limits these settings describe; unset keys mean no limit.
    public func resolved() -> ScopeLimits {
        ScopeLimits(
            requests: requestRate?.value.map { rate in
                RateLimit(rate: rate, burst: burst ?? max(1, Int(saturating: rate.perSecondValue, rounding: .up)))
            },
            tokens: tokensPerMinute?.value.map(RateLimit.tokensPerMinute),
            inputTokens: inputTokensPerMinute?.value.map(RateLimit.tokensPerMinute),
            outputTokens: outputTokensPerMinute?.value.map(RateLimit.tokensPerMinute),
            maxInFlight: maxInFlight?.value.map { max(0, $0) }
        )
    }
}
