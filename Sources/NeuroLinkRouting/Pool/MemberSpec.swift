/// Limits a member is expected to stay within; the `performance_based` strategy heavily
/// penalises a member beyond any of them (see ``PerformanceScore``). All optional.
public struct Thresholds: Sendable, Hashable {
    /// Highest acceptable moving average of time to first chunk, in milliseconds.
    public var maxLatencyMs: Int?
    /// Highest acceptable share of failed recent calls, in percent.
    public var maxErrorRatePct: Double?
    /// Lowest acceptable moving average of output tokens per second.
    public var minThroughputTps: Double?

    public init(maxLatencyMs: Int? = nil, maxErrorRatePct: Double? = nil, minThroughputTps: Double? = nil) {
        self.maxLatencyMs = maxLatencyMs
        self.maxErrorRatePct = maxErrorRatePct
        self.minThroughputTps = minThroughputTps
    }
}

/// One configured member of a pool, as routing sees it: which provider and model, and what
/// the strategies and the capability and context-window filters need to know about it.
public struct MemberSpec: Sendable, Hashable {
    /// The configured provider's name.
    public var provider: String
    public var model: String
    /// Share of traffic for `weighted`, base score for `performance_based`.
    public var weight: Int
    /// Lower is preferred by `priority`.
    public var priority: Int
    /// Capabilities the member offers (`reasoning`, `function_calling`, `structured_output`,
    /// `speed`, ...); a request requiring one it lacks skips it.
    public var specializations: Set<String>
    public var thresholds: Thresholds
    /// Tokens the model accepts; `nil` when not configured (such a member is skipped whenever a
    /// minimum context window is required, since it might well be too small).
    public var contextWindow: Int?
    /// How status, notices and skip reasons name the member: `provider/model` unless given.
    public var label: String

    public init(
        provider: String,
        model: String,
        weight: Int = 1,
        priority: Int = 0,
        specializations: Set<String> = [],
        thresholds: Thresholds = Thresholds(),
        contextWindow: Int? = nil,
        label: String? = nil
    ) {
        self.provider = provider
        self.model = model
        self.weight = weight
        self.priority = priority
        self.specializations = specializations
        self.thresholds = thresholds
        self.contextWindow = contextWindow
        self.label = label ?? "\(provider)/\(model)"
    }
}
