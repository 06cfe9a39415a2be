/// The score the `performance_based` strategy balances by:
///
///     score = weight × L × E × T
///
/// - L (latency) = 1 / (1 + latency / R), R = `max_latency_ms` or 2000 ms when unset: 1 for an
///   instant member, ½ at the threshold. Unmeasured: 1.
/// - E (errors) = max(0.01, 1 − error rate): a member failing half its calls counts half.
/// - T (throughput) = 2·tps / (tps + R), capped at 1, R = `min_throughput_tps` or 20 tokens/s
///   when unset: 1 at or above the reference, falling towards 0 below it. Unmeasured: 1.
/// - Each threshold a member breaks (latency above `max_latency_ms`, error rate above
///   `max_error_rate_pct`, throughput below `min_throughput_tps`) multiplies its score by
///   ``penalty`` (0.01).
///
/// Members are then picked by smooth weighted round-robin over the scores, so traffic is shared
/// in proportion to them rather than all sent to the best: a penalised member still sees about
/// 1 % of its normal share, which keeps its statistics fresh enough to notice its recovery.
/// Unmeasured members score high, so a new member is measured at once.
public enum PerformanceScore {
    /// The factor applied for every threshold a member breaks.
    public static let penalty = 0.01
    /// The latency reference for members without `max_latency_ms`.
    public static let defaultLatencyReferenceMs = 2000.0
    /// The throughput reference for members without `min_throughput_tps`.
    public static let defaultThroughputReferenceTps = 20.0

    /// The score of `candidate`; 0 only for a member of weight 0.
    public static func score(_ candidate: CandidateSnapshot) -> Double {
        let weight = Double(max(0, candidate.weight))
        return weight * latencyFactor(candidate) * errorFactor(candidate) * throughputFactor(candidate)
    }

    static func latencyFactor(_ candidate: CandidateSnapshot) -> Double {
        guard let latency = candidate.ewmaLatencyMs, latency.isFinite else { return 1 }
        let limit = candidate.thresholds.maxLatencyMs.map(Double.init)
        let reference = limit.flatMap { $0 > 0 ? $0 : nil } ?? defaultLatencyReferenceMs
        let factor = 1 / (1 + max(0, latency) / reference)
        guard let limit, latency > limit else { return factor }
        return factor * penalty
    }

    static func errorFactor(_ candidate: CandidateSnapshot) -> Double {
        let rate = candidate.errorRatePct.isFinite ? candidate.errorRatePct.clamped(to: 0...100) : 100
        let factor = max(0.01, 1 - rate / 100)
        guard let limit = candidate.thresholds.maxErrorRatePct, rate > limit else { return factor }
        return factor * penalty
    }

    static func throughputFactor(_ candidate: CandidateSnapshot) -> Double {
        guard let tps = candidate.throughputTps, tps.isFinite else { return 1 }
        let limit = candidate.thresholds.minThroughputTps
        let reference = limit.flatMap { $0 > 0 ? $0 : nil } ?? defaultThroughputReferenceTps
        let rate = max(0, tps)
        let factor = min(1, 2 * rate / (rate + reference))
        guard let limit, rate < limit else { return factor }
        return factor * penalty
    }
}
