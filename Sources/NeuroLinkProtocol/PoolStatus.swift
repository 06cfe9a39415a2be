/// One pool as `status` shows it: configured pools, and the pools of one that requests naming a
/// provider directly have used.
public struct PoolStatus: Sendable, Hashable, Codable {
    public var name: String
    /// `false` for a pool of one created by a request naming a provider.
    public var configured: Bool
    public var strategy: String
    public var members: [PoolMemberStatus]

    public init(name: String, configured: Bool, strategy: String, members: [PoolMemberStatus]) {
        self.name = name
        self.configured = configured
        self.strategy = strategy
        self.members = members
    }
}

/// One pool member's health, breaker and live statistics.
public struct PoolMemberStatus: Sendable, Hashable, Codable {
    /// `provider/model`.
    public var member: String
    public var provider: String
    public var model: String
    public var healthy: Bool
    /// Why the member is unhealthy (last failed check, or ejection by outlier detection).
    public var healthDetail: String?
    /// `closed`, `open` or `half_open`.
    public var breaker: String
    /// Milliseconds until an open breaker lets probes through.
    public var breakerOpenForMs: Int?
    public var breakerTrips: Int
    public var inFlight: Int
    /// Moving average of the time to first chunk, in milliseconds.
    public var latencyMs: Double?
    /// Failures among recent calls, in percent.
    public var errorRatePct: Double
    /// Moving average of output tokens per second.
    public var throughputTps: Double?
    public var requests: Int
    public var failures: Int
    /// Failure class of the most recent failure.
    public var lastError: String?

    public init(
        member: String,
        provider: String,
        model: String,
        healthy: Bool,
        healthDetail: String? = nil,
        breaker: String,
        breakerOpenForMs: Int? = nil,
        breakerTrips: Int = 0,
        inFlight: Int = 0,
        latencyMs: Double? = nil,
        errorRatePct: Double = 0,
        throughputTps: Double? = nil,
        requests: Int = 0,
        failures: Int = 0,
        lastError: String? = nil
    ) {
        self.member = member
        self.provider = provider
        self.model = model
        self.healthy = healthy
        self.healthDetail = healthDetail
        self.breaker = breaker
        self.breakerOpenForMs = breakerOpenForMs
        self.breakerTrips = breakerTrips
        self.inFlight = inFlight
        self.latencyMs = latencyMs
        self.errorRatePct = errorRatePct
        self.throughputTps = throughputTps
        self.requests = requests
        self.failures = failures
        self.lastError = lastError
    }
}

/// The daemon-wide retry budget as `status` shows it.
public struct RetryBudgetStatus: Sendable, Hashable, Codable {
    /// Requests received in the current window.
    public var requests: Int
    /// Retries and failovers made in the window.
    public var retries: Int
    /// Retries still allowed in the window.
    public var available: Int

    public init(requests: Int, retries: Int, available: Int) {
        self.requests = requests
        self.retries = retries
        self.available = available
    }
}
