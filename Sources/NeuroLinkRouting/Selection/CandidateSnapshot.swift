/// What a strategy knows about one eligible member when it orders them.
public struct CandidateSnapshot: Sendable, Hashable {
    /// The member's index in its pool (configuration order).
    public var index: Int
    public var weight: Int
    public var priority: Int
    public var inFlight: Int
    /// Moving average of time to first chunk; `nil` when never measured.
    public var ewmaLatencyMs: Double?
    /// Failures among recent outcomes, in percent.
    public var errorRatePct: Double
    /// Moving average of output tokens per second; `nil` when never measured.
    public var throughputTps: Double?
    public var thresholds: Thresholds

    public init(
        index: Int,
        weight: Int = 1,
        priority: Int = 0,
        inFlight: Int = 0,
        ewmaLatencyMs: Double? = nil,
        errorRatePct: Double = 0,
        throughputTps: Double? = nil,
        thresholds: Thresholds = Thresholds()
    ) {
        self.index = index
        self.weight = weight
        self.priority = priority
        self.inFlight = inFlight
        self.ewmaLatencyMs = ewmaLatencyMs
        self.errorRatePct = errorRatePct
        self.throughputTps = throughputTps
        self.thresholds = thresholds
    }
}
