import NeuroLinkProtocol
import NeuroLinkRouting
import Synchronization

/// The routing state of one configuration generation: every configured pool, a pool of one for
/// each provider and model that requests name directly, and the daemon-wide retry budget.
public final class Router: Sendable {
    /// A set of members requests are balanced and failed over across.
    public struct Pool: Sendable {
        /// The configured name, or `provider/model` for a pool of one.
        public let name: String
        /// Whether the pool comes from `pools:` (rather than a request naming a provider).
        public let configured: Bool
        public let strategy: RoutingStrategy
        public let failover: Set<DaemonConfig.FailoverMode>
        public let maxAttempts: Int
        public let members: [Member]
        public let runtime: PoolRuntime
    }

    /// A provider and model inside a pool.
    public struct Member: Sendable {
        public let entry: ProviderRegistry.Entry
        public let model: String
        public let timeouts: DaemonConfig.Timeouts
        public let spec: MemberSpec
        /// Health-check with a one-token completion instead of the model listing.
        public let completionProbe: Bool

        public var label: String { spec.label }

        /// The attempt target for a request with its own total timeout.
        func target(index: Int, requestTimeoutMs: Int?) -> RouteTarget {
            RouteTarget(
                provider: entry,
                model: model,
                timeouts: timeouts.transferTimeouts(requestTotalMs: requestTimeoutMs),
                member: index,
                label: spec.label
            )
        }
    }

    public let settings: DaemonConfig.Routing
    public let breakerPolicy: BreakerPolicy
    public let healthCheckPolicy: HealthCheckPolicy
    public let backoff: Backoff
    public let retryBudget: SharedRetryBudget
    /// Configured pools, in configuration order.
    public let pools: [Pool]
    private let poolIndex: [String: Int]
    /// Pools of one, created when a request first names a provider and model.
    private let single = Mutex<[String: Pool]>([:])
    /// The routing state of the previous generation's pools of one, adopted when the same pool of
    /// one is first used again (no reference to the previous router is kept).
    private let inheritedSingles: [String: (provider: ProviderConfig, states: [MemberSpec: CarriedMemberState])]

    /// The most pools of one kept; beyond it a request gets a fresh, unshared one.
    static let maxSinglePools = 4096

    /// - Parameter previous: the router of the generation this one replaces on a reload: every
    ///   member whose definition (pool member settings, provider settings, breaker policy) did not
    ///   change keeps its breaker, statistics and health.
    public init(config: DaemonConfig, registry: ProviderRegistry, previous: Router? = nil) {
        settings = config.routing
        let breaker = config.routing.breaker
        breakerPolicy = BreakerPolicy(
            consecutiveFailures: breaker.consecutiveFailures,
            failureRateThreshold: breaker.failureRatePct / 100,
            windowSize: breaker.window,
            minimumCalls: breaker.minimumCalls,
            openDuration: .milliseconds(breaker.openMs),
            maxOpenDuration: .milliseconds(breaker.maxOpenMs),
            halfOpenProbes: breaker.halfOpenProbes
        )
        let check = config.routing.healthCheck
        healthCheckPolicy = HealthCheckPolicy(
            interval: .milliseconds(check.intervalMs),
            timeout: .milliseconds(check.timeoutMs),
            unhealthyThreshold: check.unhealthyThreshold,
            healthyThreshold: check.healthyThreshold
        )
        backoff = Backoff(
            base: .milliseconds(config.routing.backoffBaseMs),
            cap: .milliseconds(config.routing.backoffMaxMs)
        )
        retryBudget = SharedRetryBudget(
            RetryBudget(
                ratio: config.routing.retryBudgetRatio,
                minRetriesPerWindow: config.routing.retryBudgetMinRetries,
                window: .milliseconds(config.routing.retryBudgetWindowMs)
            )
        )
        var pools: [Pool] = []
        for pool in config.pools {
            let members = pool.members.compactMap { member -> Member? in
                guard let entry = registry.entry(named: member.provider) else { return nil }
                let spec = MemberSpec(
                    provider: member.provider,
                    model: member.model,
                    weight: member.weight,
                    priority: member.priority,
                    specializations: member.specializations,
                    thresholds: Thresholds(
                        maxLatencyMs: member.maxLatencyMs,
                        maxErrorRatePct: member.maxErrorRatePct,
                        minThroughputTps: member.minThroughputTps
                    ),
                    contextWindow: member.contextWindow
                )
                return Member(
                    entry: entry,
                    model: member.model,
                    timeouts: member.timeouts ?? entry.timeouts,
                    spec: spec,
                    completionProbe: member.completionProbe
                )
            }
            let strategy = RoutingStrategy(rawValue: pool.strategy) ?? .priority
            pools.append(
                Pool(
                    name: pool.name,
                    configured: true,
                    strategy: strategy,
                    failover: pool.failover,
                    maxAttempts: pool.maxAttempts ?? config.routing.maxAttempts,
                    members: members,
                    runtime: PoolRuntime(
                        name: pool.name,
                        strategy: strategy,
                        members: members.map(\.spec),
                        breakerPolicy: breakerPolicy,
                        healthCheckPolicy: healthCheckPolicy
                    )
                )
            )
        }
        self.pools = pools
        poolIndex = Dictionary(pools.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        inheritedSingles = Dictionary(
            uniqueKeysWithValues: (previous?.singlePools ?? []).compactMap { pool in
                pool.members.first.map { (pool.name, ($0.entry.config, pool.runtime.carriedStates())) }
            }
        )
        if let previous { adoptState(of: previous) }
    }

    /// Carries the previous generation's routing state over to every unchanged configured member.
    private func adoptState(of previous: Router) {
        for pool in pools {
            guard let old = previous.pool(named: pool.name) else { continue }
            let oldProviders = Dictionary(
                old.members.map { ($0.spec, $0.entry.config) },
                uniquingKeysWith: { first, _ in first }
            )
            let newProviders = Dictionary(
                pool.members.map { ($0.spec, $0.entry.config) },
                uniquingKeysWith: { first, _ in first }
            )
            pool.runtime.adopt(old.runtime.carriedStates()) { oldProviders[$0] == newProviders[$0] }
        }
    }

    public func pool(named name: String) -> Pool? {
        poolIndex[name].map { pools[$0] }
    }

    /// The pool `"auto"` routes through, when pools are configured.
    public var defaultPool: Pool? {
        settings.defaultPool.flatMap(pool(named:)) ?? pools.first
    }

    /// The pool of one for a provider and model named directly by a request.
    public func singlePool(entry: ProviderRegistry.Entry, model: String) -> Pool {
        let spec = MemberSpec(provider: entry.config.name, model: model)
        if let pool = single.withLock({ $0[spec.label] }) { return pool }
        let member = Member(entry: entry, model: model, timeouts: entry.timeouts, spec: spec, completionProbe: false)
        let pool = Pool(
            name: spec.label,
            configured: false,
            strategy: .priority,
            failover: [],
            maxAttempts: settings.maxAttempts,
            members: [member],
            runtime: PoolRuntime(
                name: spec.label,
                strategy: .priority,
                members: [spec],
                breakerPolicy: breakerPolicy,
                healthCheckPolicy: healthCheckPolicy
            )
        )
        if let inherited = inheritedSingles[spec.label], inherited.provider == entry.config {
            pool.runtime.adopt(inherited.states)
        }
        return single.withLock { pools in
            if let existing = pools[spec.label] { return existing }
            if pools.count < Self.maxSinglePools { pools[spec.label] = pool }
            return pool
        }
    }

    /// Every pool of one created so far, for status.
    public var singlePools: [Pool] {
        single.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }
}

extension Router {
    /// Configured pools, then the pools of one used so far, as `status` shows them.
    public func poolStatuses(now: ContinuousClock.Instant) -> [PoolStatus] {
        (pools + singlePools).map { pool in
            PoolStatus(
                name: pool.name,
                configured: pool.configured,
                strategy: pool.strategy.rawValue,
                members: pool.runtime.snapshot(now: now).map(\.poolMemberStatus)
            )
        }
    }

    public func retryBudgetStatus(now: ContinuousClock.Instant) -> RetryBudgetStatus {
        retryBudget.snapshot(now: now).retryBudgetStatus
    }
}
