extension DaemonConfig {
    /// Daemon-wide retry, breaker and health-check settings (`routing:`), used by every pool and by
    /// requests that name a provider directly (each provider and model is then a pool of one).
    public struct Routing: Sendable, Hashable {
        /// Upstream attempts per request, the first included.
        public var maxAttempts = 3
        /// Full-jitter exponential backoff between attempts on the same member.
        public var backoffBaseMs = 250
        public var backoffMaxMs = 10_000
        /// The longest `retry-after` worth waiting for; a longer one fails over or ends the request.
        public var maxRetryWaitMs = 30_000
        /// Retries allowed as a share of recent requests, so that retries never multiply an outage.
        public var retryBudgetRatio = 0.2
        /// Retries always allowed per budget window, so a quiet daemon can still retry.
        public var retryBudgetMinRetries = 3
        public var retryBudgetWindowMs = 10_000
        public var breaker = Breaker()
        public var healthCheck = HealthCheck()
        /// The pool `"auto"` routes through; the first pool when not given.
        public var defaultPool: String?
        public init() {}
    }

    /// Circuit-breaker settings per member (`routing.breaker`).
    public struct Breaker: Sendable, Hashable {
        public var consecutiveFailures = 5
        public var failureRatePct = 50.0
        /// Calls in the sliding window the failure rate is computed over.
        public var window = 20
        /// Calls the window must hold before the failure rate can trip the breaker.
        public var minimumCalls = 10
        public var openMs = 30_000
        public var maxOpenMs = 300_000
        public var halfOpenProbes = 3
        public init() {}
    }

    /// Active health checks of pool members (`routing.health_check`).
    public struct HealthCheck: Sendable, Hashable {
        /// 0 disables active checks; passive outlier detection still runs.
        public var intervalMs = 30_000
        public var timeoutMs = 5_000
        public var unhealthyThreshold = 3
        public var healthyThreshold = 2
        public init() {}
    }

    /// One `pools:` entry: members a request naming the pool is routed across.
    public struct Pool: Sendable, Hashable {
        public var name: String
        /// `priority`, `round_robin`, `weighted`, `least_inflight`, `least_latency` or `performance_based`.
        public var strategy: String
        /// Which member changes a failover may make.
        public var failover: Set<FailoverMode>
        /// Replaces `routing.max_attempts` for this pool.
        public var maxAttempts: Int?
        public var members: [PoolMember]

        public init(
            name: String,
            strategy: String = "priority",
            failover: Set<FailoverMode> = Set(FailoverMode.allCases),
            maxAttempts: Int? = nil,
            members: [PoolMember]
        ) {
            self.name = name
            self.strategy = strategy
            self.failover = failover
            self.maxAttempts = maxAttempts
            self.members = members
        }

        public static let strategies = [
            "priority", "round_robin", "weighted", "least_inflight", "least_latency", "performance_based",
        ]
    }

    /// How the next member may differ from the one that failed.
    public enum FailoverMode: String, Sendable, Hashable, CaseIterable {
        /// Another model of the same provider.
        case modelSwitch = "model_switch"
        /// The same model on another provider entry of the same type (another endpoint or region).
        case endpointSwitch = "endpoint_switch"
        /// A provider of another type.
        case providerSwitch = "provider_switch"
    }

    /// One member of a pool: a configured provider and a model.
    public struct PoolMember: Sendable, Hashable {
        public var provider: String
        public var model: String
        public var weight = 1
        /// Lower is preferred by the `priority` strategy.
        public var priority = 0
        public var specializations: Set<String> = []
        /// Tokens the model accepts; a `context_length` failure only fails over to a larger window.
        public var contextWindow: Int?
        public var maxLatencyMs: Int?
        public var maxErrorRatePct: Double?
        public var minThroughputTps: Double?
        /// Replaces the provider's timeouts for this member.
        public var timeouts: Timeouts?
        /// Health-check this member with a one-token completion instead of the free model listing.
        public var completionProbe = false

        public init(provider: String, model: String) {
            self.provider = provider
            self.model = model
        }

        /// How status and notices name the member.
        public var label: String { "\(provider)/\(model)" }
    }
}
