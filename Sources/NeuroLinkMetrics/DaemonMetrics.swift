import CoreMetrics
import NeuroLinkCore
import NeuroLinkProtocol
import Prometheus
import Synchronization

/// The daemon's metrics: instrumented through swift-metrics, held and rendered in the Prometheus
/// text format by swift-prometheus. Request metrics are updated as each request is recorded; the
/// state gauges (streams, queue, buffers, breakers, health, analytics) are sampled from `status`
/// whenever the metrics are read, so they cost nothing between scrapes.
public final class DaemonMetrics: RequestRecorder, Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: DescribedPrometheusFactory
    /// Analytics counters already exported, to turn the writer's totals into increments.
    private let exportedAnalytics = Mutex((written: 0, dropped: 0))

    public init() {
        factory = DescribedPrometheusFactory(registry: registry)
    }

    public func record(_ record: RequestRecord) {
        let provider = record.provider ?? "-"
        let model = record.model ?? "-"
        var labels = [
            (MetricNames.operationName, "chat"), (MetricNames.providerName, provider),
            (MetricNames.requestModel, model),
        ]
        if let error = record.errorType { labels.append((MetricNames.errorType, error.rawValue)) }
        CoreMetrics.Timer(label: MetricNames.operationDuration, dimensions: labels, factory: factory)
            .recordNanoseconds(Self.nanoseconds(ms: record.durationMs))
        CoreMetrics.Counter(
            label: MetricNames.requests,
            dimensions: [("outcome", record.outcome.rawValue), ("provider", provider)],
            factory: factory
        )
        .increment()
        if let overhead = record.overheadMs {
            CoreMetrics.Timer(
                label: MetricNames.daemonOverhead,
                dimensions: [("outcome", record.outcome.rawValue)],
                factory: factory
            )
            .recordNanoseconds(Self.nanoseconds(ms: overhead))
        }
        if let wait = record.queueWaitMs {
            CoreMetrics.Timer(label: MetricNames.queueWait, factory: factory)
                .recordNanoseconds(Self.nanoseconds(ms: wait))
        }
        if let cache = record.cache { recordCache(cache) }
        if let security = record.security { recordSecurity(security) }
        if record.errorType == .forbidden || record.errorType == .invalidParams, let rule = record.errorRule {
            denied(rule: rule)
        }
        recordRouting(record)
        guard record.outcome == .success else { return }
        recordSuccess(record, labels: Array(labels.prefix(3)))
    }

    private func recordRouting(_ record: RequestRecord) {
        for attempt in record.attempts {
            Counter(
                label: MetricNames.attempts,
                dimensions: [("member", attempt.member), ("outcome", attempt.outcome)],
                factory: factory
            ).increment()
        }
        if record.attempts.count > 1 {
            CoreMetrics.Counter(
                label: MetricNames.retries,
                dimensions: [("provider", record.provider ?? "-")],
                factory: factory
            )
            .increment(by: record.attempts.count - 1)
        }
        if record.outcome == .rejected || record.outcome == .queueTimeout {
            let reason = record.outcome == .queueTimeout ? "queue_timeout" : record.errorType?.rawValue ?? "rejected"
            CoreMetrics.Counter(label: MetricNames.rejections, dimensions: [("reason", reason)], factory: factory)
                .increment()
        }
    }

    private func recordSuccess(_ record: RequestRecord, labels: [(String, String)]) {
        if let first = record.timeToFirstChunkMs {
            CoreMetrics.Timer(label: MetricNames.timeToFirstToken, dimensions: labels, factory: factory)
                .recordNanoseconds(Self.nanoseconds(ms: first))
        }
        guard let usage = record.usage else { return }
        for (type, count) in [("input", usage.inputTokens), ("output", usage.outputTokens)] {
            CoreMetrics.Recorder(
                label: MetricNames.tokenUsage,
                dimensions: labels + [(MetricNames.tokenType, type)],
                factory: factory
            )
            .record(count)
        }
        if usage.outputTokens > 1 {
            let generationMs = record.durationMs - (record.timeToFirstChunkMs ?? 0)
            CoreMetrics.Timer(label: MetricNames.timePerOutputToken, dimensions: labels, factory: factory)
                .recordNanoseconds(Self.nanoseconds(ms: generationMs / Double(usage.outputTokens - 1)))
        }
        if let cost = record.cost {
            CoreMetrics.FloatingPointCounter(
                label: MetricNames.cost,
                dimensions: labels.suffix(2).map { $0 },
                factory: factory
            )
            .increment(by: cost)
        }
    }

    private func recordCache(_ cache: CacheInfo) {
        CoreMetrics.Counter(
            label: MetricNames.cacheRequests,
            dimensions: [("status", cache.status.rawValue)],
            factory: factory
        )
        .increment()
        if let reason = cache.refusal {
            CoreMetrics.Counter(label: MetricNames.cacheRefusals, dimensions: [("reason", reason)], factory: factory)
                .increment()
        }
        guard let saved = cache.savedUsage else { return }
        for (type, count) in [("input", saved.inputTokens), ("output", saved.outputTokens)] {
            CoreMetrics.Counter(label: MetricNames.cacheSavedTokens, dimensions: [("type", type)], factory: factory)
                .increment(by: count)
        }
        if let cost = cache.savedCost {
            CoreMetrics.FloatingPointCounter(label: MetricNames.cacheSavedCost, factory: factory).increment(by: cost)
        }
    }

    private func recordSecurity(_ security: SecurityOutcome) {
        if let action = security.injectionAction {
            CoreMetrics.Counter(
                label: MetricNames.securityInjections,
                dimensions: [("action", action)],
                factory: factory
            )
            .increment()
        }
        for (direction, counts) in [("input", security.inputRedactions), ("output", security.outputRedactions)] {
            for (kind, count) in counts {
                CoreMetrics.Counter(
                    label: MetricNames.securityRedactions,
                    dimensions: [("type", kind), ("direction", direction)],
                    factory: factory
                )
                .increment(by: count)
            }
        }
        for rule in security.filtered {
            CoreMetrics.Counter(label: MetricNames.securityFiltered, dimensions: [("rule", rule)], factory: factory)
                .increment()
        }
    }

    /// A request or a method call refused by `rule` (a policy's name, `admin`, an input limit).
    public func denied(rule: String) {
        CoreMetrics.Counter(label: MetricNames.securityDenials, dimensions: [("rule", rule)], factory: factory)
            .increment()
    }

    /// An alert rule started or stopped firing.
    public func alertTransition(_ name: String, severity: String, firing: Bool) {
        CoreMetrics.Counter(
            label: MetricNames.alertTransitions,
            dimensions: [("alert", name), ("state", firing ? "firing" : "resolved")],
            factory: factory
        ).increment()
        CoreMetrics.Gauge(
            label: MetricNames.alertFiring,
            dimensions: [("alert", name), ("severity", severity)],
            factory: factory
        ).record(firing ? 1 : 0)
    }

    /// The metrics in the Prometheus text format (version 0.0.4), the state gauges taken from `status`.
    public func exposition(_ status: StatusResult) -> String {
        observe(status)
        return registry.emitToString()
    }

    private func observe(_ status: StatusResult) {
        gauge(MetricNames.activeStreams).record(status.activeStreams)
        gauge(MetricNames.activeConnections).record(status.activeConnections)
        if let queue = status.limits?.queue {
            gauge(MetricNames.queueDepth).record(queue.depth)
            gauge(MetricNames.queueOldestWait).record(Double(queue.oldestWaitMs ?? 0) / 1000)
        }
        if let buffers = status.streamBuffers { gauge(MetricNames.bufferedBytes).record(buffers.bufferedBytes) }
        for pool in status.pools ?? [] {
            for member in pool.members {
                let labels = [("pool", pool.name), ("member", member.member)]
                gauge(MetricNames.breakerOpen, labels).record(member.breaker == "closed" ? 0 : 1)
                gauge(MetricNames.memberHealthy, labels).record(member.healthy ? 1 : 0)
            }
        }
        if let analytics = status.analytics { observe(analytics) }
        if let cache = status.cache {
            gauge(MetricNames.cacheEntries).record(cache.entries)
            gauge(MetricNames.cacheBytes).record(cache.bytes)
            if let disk = cache.diskBytes { gauge(MetricNames.cacheDiskBytes).record(disk) }
        }
    }

    private func observe(_ analytics: AnalyticsStatus) {
        let (written, dropped) = exportedAnalytics.withLock { exported in
            defer { exported = (analytics.rowsWritten, analytics.rowsDropped) }
            return (analytics.rowsWritten - exported.written, analytics.rowsDropped - exported.dropped)
        }
        CoreMetrics.Counter(label: MetricNames.analyticsWritten, factory: factory).increment(by: max(0, written))
        CoreMetrics.Counter(label: MetricNames.analyticsDropped, factory: factory).increment(by: max(0, dropped))
    }

    private func gauge(_ name: String, _ labels: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
    }

    private static func nanoseconds(ms: Double) -> Int64 {
        let value = ms * 1_000_000
        guard value.isFinite, value > 0 else { return 0 }
        return value >= Double(Int64.max) ? .max : Int64(value)
    }
}
