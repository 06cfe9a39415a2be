/// Result of `top`: what the daemon is doing now, for `nlctl top`.
public struct TopSnapshot: Sendable, Hashable, Codable {
    /// Seconds since 1970.
    public var at: Double
    /// Running requests (a caller who is not an admin sees its own tenant's only).
    public var streams: [ActiveStream]
    /// Per provider, over the last `windowSeconds`.
    public var providers: [ProviderActivity]
    public var windowSeconds: Int
    public var queueDepth: Int
    /// Pool members whose breaker is not closed.
    public var breakers: [BreakerState]
    /// Alert rules that fire now.
    public var firingAlerts: [AlertStatus]

    public init(
        at: Double,
        streams: [ActiveStream],
        providers: [ProviderActivity],
        windowSeconds: Int,
        queueDepth: Int,
        breakers: [BreakerState],
        firingAlerts: [AlertStatus]
    ) {
        self.at = at
        self.streams = streams
        self.providers = providers
        self.windowSeconds = windowSeconds
        self.queueDepth = queueDepth
        self.breakers = breakers
        self.firingAlerts = firingAlerts
    }

    public struct ActiveStream: Sendable, Hashable, Codable {
        public var requestId: String
        public var method: String
        public var tenant: String
        /// Absent until the request reached a provider.
        public var provider: String?
        public var model: String?
        public var elapsedMs: Double
        /// Output so far, estimated from the delivered text (UTF-8 bytes ÷ 4).
        public var outputTokens: Int
        public var tokensPerSecond: Double?

        public init(
            requestId: String,
            method: String,
            tenant: String,
            provider: String?,
            model: String?,
            elapsedMs: Double,
            outputTokens: Int,
            tokensPerSecond: Double?
        ) {
            self.requestId = requestId
            self.method = method
            self.tenant = tenant
            self.provider = provider
            self.model = model
            self.elapsedMs = elapsedMs
            self.outputTokens = outputTokens
            self.tokensPerSecond = tokensPerSecond
        }
    }

    public struct ProviderActivity: Sendable, Hashable, Codable {
        public var provider: String
        /// Requests that ended per second.
        public var requestsPerSecond: Double
        public var p50FirstChunkMs: Double?
        public var p95FirstChunkMs: Double?
        /// Failed over ended requests, 0...1 (cancellations do not count).
        public var errorRate: Double

        public init(
            provider: String,
            requestsPerSecond: Double,
            p50FirstChunkMs: Double?,
            p95FirstChunkMs: Double?,
            errorRate: Double
        ) {
            self.provider = provider
            self.requestsPerSecond = requestsPerSecond
            self.p50FirstChunkMs = p50FirstChunkMs
            self.p95FirstChunkMs = p95FirstChunkMs
            self.errorRate = errorRate
        }
    }

    public struct BreakerState: Sendable, Hashable, Codable {
        public var pool: String
        public var member: String
        /// `open` or `half_open`.
        public var state: String

        public init(pool: String, member: String, state: String) {
            self.pool = pool
            self.member = member
            self.state = state
        }
    }
}
