/// Active health checks: how often, and how many results in a row flip a member's health.
public struct HealthCheckPolicy: Sendable, Hashable {
    /// Time between checks of a member (the checking service's schedule; not used by the runtime).
    public let interval: Duration
    /// Time a single check may take (likewise for the checking service).
    public let timeout: Duration
    /// Failed checks in a row that make a healthy member unhealthy.
    public let unhealthyThreshold: Int
    /// Passed checks in a row that make an unhealthy member healthy again.
    public let healthyThreshold: Int

    public init(
        interval: Duration = .seconds(30),
        timeout: Duration = .seconds(5),
        unhealthyThreshold: Int = 3,
        healthyThreshold: Int = 2
    ) {
        self.interval = max(.zero, interval)
        self.timeout = max(.zero, timeout)
        self.unhealthyThreshold = max(1, unhealthyThreshold)
        self.healthyThreshold = max(1, healthyThreshold)
    }
}

/// Passive outlier detection from live traffic (Envoy's `consecutive_5xx` style): a member
/// failing `consecutiveFailures` live attempts in a row with a server-side class (`server`,
/// `overloaded`, `network`, `timeout`; not `rate_limited`, which is the provider pacing us, not a
/// sick member) is ejected for `baseEjection` × times ejected, at most `maxEjection`. The
/// multiplier drops by one for every `baseEjection` spent without an ejection. The last member
/// in service is never ejected.
public struct OutlierPolicy: Sendable, Hashable {
    /// Server-side live failures in a row that eject a member.
    public let consecutiveFailures: Int
    /// The first ejection's length; later ones last a multiple of it.
    public let baseEjection: Duration
    /// The longest ejection.
    public let maxEjection: Duration

    public init(
        consecutiveFailures: Int = 5,
        baseEjection: Duration = .seconds(30),
        maxEjection: Duration = .seconds(300)
    ) {
        self.consecutiveFailures = max(1, consecutiveFailures)
        self.baseEjection = max(.zero, baseEjection)
        self.maxEjection = max(self.baseEjection, maxEjection)
    }
}
