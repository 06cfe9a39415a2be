import NeuroLinkProtocol

/// Recommendations drawn from a report's figures. Thresholds (docs/protocol.md, `analytics.report`):
/// an error rate over 1 % points at the retry policy; a p95 time to first chunk over 2 s, or over
/// three times the group's p50, points at the pool's routing strategy; a cache hit rate under 5 %
/// over at least 100 lookups points at the cache's settings.
enum AnalyticsAdvice {
    static let maxErrorRate = 0.01
    static let slowFirstChunkMs = 2000.0
    static let lowHitRate = 0.05
    static let hitRateLookups = 100

    static func recommendations(for report: AnalyticsReport) -> [String] {
        report.groups.flatMap { group -> [String] in
            let name = "\(report.by.rawValue) \(group.key)"
            var advice: [String] = []
            // A client cancelling is not a failure of the provider or the pool.
            let failed = group.topErrors.filter { $0.type != ErrorType.cancelled.rawValue }.reduce(0) { $0 + $1.count }
            let errorRate = group.requests > 0 ? Double(failed) / Double(group.requests) : 0
            if errorRate > maxErrorRate,
                let top = group.topErrors.first(where: { $0.type != ErrorType.cancelled.rawValue })
            {
                let percent = (errorRate * 1000).rounded() / 10
                advice.append(
                    "\(name): \(percent)% of requests failed (most often \(top.type)); review the retry policy (routing.retry) and the pool's members"
                )
            }
            if let ttfc = group.timeToFirstChunkMs,
                ttfc.p95 > slowFirstChunkMs || ttfc.p95 > 3 * ttfc.p50 && ttfc.p95 > 500
            {
                advice.append(
                    "\(name): p95 time to first chunk is \(Int(ttfc.p95)) ms (p50 \(Int(ttfc.p50)) ms); review the pool's routing strategy (for example latency-based)"
                )
            }
            if let cache = group.cache, cache.hits + cache.misses >= hitRateLookups, let rate = cache.hitRate,
                rate < lowHitRate
            {
                advice.append(
                    "\(name): the response cache answers \((rate * 1000).rounded() / 10)% of lookups; check cache.ttl_ms and max_size_mb, or stop caching these requests (cache.mode: bypass)"
                )
            }
            return advice
        }
    }
}
