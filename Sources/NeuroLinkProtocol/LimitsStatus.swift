/// Rate limits, in-flight limits, provider-reported limits and the admission queue, as `status`
/// shows them (protocol §5.4). Names tenants and providers, never a credential.
public struct LimitsStatus: Sendable, Hashable, Codable {
    /// Every scope that has seen a request (or a rejection) since start, sorted by `scope`.
    public var scopes: [LimitScopeStatus]
    /// Providers with reported limits (headers, 429s) or an adaptive limit, sorted by name.
    public var providers: [ProviderLimitStatus]
    public var queue: AdmissionQueueStatus

    public init(scopes: [LimitScopeStatus], providers: [ProviderLimitStatus], queue: AdmissionQueueStatus) {
        self.scopes = scopes
        self.providers = providers
        self.queue = queue
    }
}

/// One limit scope: the daemon, a provider, a tenant, or a tenant on a provider.
public struct LimitScopeStatus: Sendable, Hashable, Codable {
    /// `global`, `provider:NAME`, `tenant:NAME` or `tenant:NAME/provider:NAME`; a tenant with a
    /// user-id sub-key reads `tenant:NAME/USERID`.
    public var scope: String
    /// `global`, `provider`, `tenant` or `tenant_provider`.
    public var kind: String
    /// The tenant, with its sub-key if any (`alice` or `alice/user-42`), for tenant scopes.
    public var tenant: String?
    /// The provider (pool member) name, for provider scopes.
    public var provider: String?
    /// Admissions per second over about the last ten seconds.
    public var currentRate: Double
    /// One entry per configured rate or token limit of the scope, in the order requests, tokens,
    /// input_tokens, output_tokens.
    public var buckets: [LimitBucketStatus]
    public var inFlight: Int
    /// The in-flight limit (a provider's adaptive limit when lower); `nil`: none.
    public var maxInFlight: Int?
    /// Requests admitted since start.
    public var admitted: Int
    /// Requests denied at this scope, by reason (`requests`, `tokens`, `input_tokens`,
    /// `output_tokens`, `concurrency`, `provider_paused`, `provider_pacing`); reasons never seen are absent.
    public var rejections: [String: Int]

    public init(
        scope: String,
        kind: String,
        tenant: String? = nil,
        provider: String? = nil,
        currentRate: Double,
        buckets: [LimitBucketStatus],
        inFlight: Int,
        maxInFlight: Int?,
        admitted: Int,
        rejections: [String: Int]
    ) {
        self.scope = scope
        self.kind = kind
        self.tenant = tenant
        self.provider = provider
        self.currentRate = currentRate
        self.buckets = buckets
        self.inFlight = inFlight
        self.maxInFlight = maxInFlight
        self.admitted = admitted
        self.rejections = rejections
    }
}

/// What is left of one rate or token limit.
public struct LimitBucketStatus: Sendable, Hashable, Codable {
    /// `requests`, `tokens`, `input_tokens` or `output_tokens`.
    public var dimension: String
    /// Whole units that could be admitted at once now (0 while in debt after an underestimate).
    public var remaining: Int
    /// The most units available at once: `burst + 1` for requests, a minute's worth for tokens.
    public var capacity: Int

    public init(dimension: String, remaining: Int, capacity: Int) {
        self.dimension = dimension
        self.remaining = remaining
        self.capacity = capacity
    }
}

/// One provider's own limits as it reported them, and its adaptive concurrency limit.
public struct ProviderLimitStatus: Sendable, Hashable, Codable {
    public var provider: String
    /// `open`, `paced` (admission spread out) or `paused` (nothing admitted until the pause ends).
    public var pacing: String
    /// With `paused`: seconds since the Unix epoch when admission resumes.
    public var pausedUntil: Double?
    /// With `paused`: milliseconds until admission resumes.
    public var pausedForMs: Int?
    /// With `paced`: milliseconds between two admissions.
    public var pacingIntervalMs: Int?
    /// The windows the provider last reported, in the order requests, tokens, input_tokens, output_tokens.
    public var reported: [ProviderWindowStatus]
    /// The provider's current adaptive in-flight limit; `nil` when it does not adapt.
    public var adaptiveLimit: Int?

    public init(
        provider: String,
        pacing: String,
        pausedUntil: Double? = nil,
        pausedForMs: Int? = nil,
        pacingIntervalMs: Int? = nil,
        reported: [ProviderWindowStatus] = [],
        adaptiveLimit: Int? = nil
    ) {
        self.provider = provider
        self.pacing = pacing
        self.pausedUntil = pausedUntil
        self.pausedForMs = pausedForMs
        self.pacingIntervalMs = pacingIntervalMs
        self.reported = reported
        self.adaptiveLimit = adaptiveLimit
    }
}

/// One rate-limit window a provider reported in its response headers.
public struct ProviderWindowStatus: Sendable, Hashable, Codable {
    /// `requests`, `tokens`, `input_tokens` or `output_tokens`.
    public var dimension: String
    /// The window's limit, if the provider reported one.
    public var limit: Int?
    /// Units left: as reported, minus the daemon's admissions since (for requests).
    public var remaining: Int?
    /// Milliseconds until the window resets; `nil` when unknown or already past.
    public var resetInMs: Int?

    public init(dimension: String, limit: Int?, remaining: Int?, resetInMs: Int?) {
        self.dimension = dimension
        self.limit = limit
        self.remaining = remaining
        self.resetInMs = resetInMs
    }
}

/// The admission queue: settings, depth and what happened to denied requests since start.
public struct AdmissionQueueStatus: Sendable, Hashable, Codable {
    /// `reject` or `queue`.
    public var strategy: String
    /// `max_queue_size`.
    public var maxSize: Int
    /// `max_queue_wait_ms`.
    public var maxWaitMs: Int
    /// Requests waiting now.
    public var depth: Int
    /// How long the oldest waiting request has waited; `nil` when none waits.
    public var oldestWaitMs: Int?
    /// Requests that entered the queue.
    public var queued: Int
    /// Queued requests admitted.
    public var admitted: Int
    /// Queued requests that waited longer than `max_queue_wait_ms` (answered `rate_limited`).
    public var timedOut: Int
    /// Queued requests whose client cancelled or disconnected.
    public var cancelled: Int
    /// Denied requests answered `rate_limited` at once (strategy `reject`).
    public var rejected: Int
    /// Denied requests answered `overloaded` because the queue was full.
    public var overloaded: Int

    public init(
        strategy: String,
        maxSize: Int,
        maxWaitMs: Int,
        depth: Int,
        oldestWaitMs: Int?,
        queued: Int = 0,
        admitted: Int = 0,
        timedOut: Int = 0,
        cancelled: Int = 0,
        rejected: Int = 0,
        overloaded: Int = 0
    ) {
        self.strategy = strategy
        self.maxSize = maxSize
        self.maxWaitMs = maxWaitMs
        self.depth = depth
        self.oldestWaitMs = oldestWaitMs
        self.queued = queued
        self.admitted = admitted
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.rejected = rejected
        self.overloaded = overloaded
    }
}
