/// How a pool picks a member among those eligible for a request.
public enum RoutingStrategy: String, Sendable, Hashable, CaseIterable {
    /// The lowest `priority` number first; ties in configuration order. Failover follows the same order.
    case priority
    /// Each request starts at the member after the one the previous request started at.
    case roundRobin = "round_robin"
    /// Smooth weighted round-robin (nginx): shares proportional to `weight`, evenly interleaved.
    case weighted
    /// The fewest attempts in flight first; ties rotate.
    case leastInflight = "least_inflight"
    /// The lowest moving average of time to first chunk first; members without data first, so
    /// every member gets measured.
    case leastLatency = "least_latency"
    /// Smooth weighted round-robin over a score from weight, latency, error rate and throughput
    /// against the member's thresholds; see ``PerformanceScore``.
    case performanceBased = "performance_based"
}
