import CoreMetrics
import Prometheus
import Synchronization

/// The swift-metrics factory the daemon instruments through: swift-prometheus's registry does the
/// storage, the histograms and the text format; this only adds each metric's `# HELP` line
/// (``MetricNames/help``) and its buckets, which swift-prometheus's own factory leaves out —
/// without them `promtool check metrics` reports every metric.
///
/// The daemon asks for its handlers on every request (a label set per provider, model, outcome),
/// and the registry, though it returns the metric it already holds, validates the name, the labels,
/// the help text and the buckets each time: handlers are kept here by metric and label set. They
/// are as many as the registry's own series, which it keeps for the life of the process anyway.
final class DescribedPrometheusFactory: MetricsFactory, Sendable {
    let registry: PrometheusCollectorRegistry
    private let made = Mutex(Handlers())

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricNames.help[label] ?? label)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        counter(label, dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        counter(label, dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return gauge(label, dimensions) }
        return cached(SeriesKey(label, dimensions), \.values) {
            let buckets = MetricBuckets.values[label] ?? MetricBuckets.tokenUsage
            return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
        }
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        gauge(label, dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        cached(SeriesKey(label, dimensions), \.durations) {
            let buckets = MetricBuckets.durations[label] ?? MetricBuckets.operationDuration
            return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
        }
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Prometheus.Counter {
        cached(SeriesKey(label, dimensions), \.counters) {
            registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
        }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> Prometheus.Gauge {
        cached(SeriesKey(label, dimensions), \.gauges) {
            registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
        }
    }

    /// The handler kept under `key` in `table`, made (and kept) by `make` the first time.
    private func cached<Handler: Sendable>(
        _ key: SeriesKey,
        _ table: WritableKeyPath<Handlers, [SeriesKey: Handler]>,
        make: () -> Handler
    ) -> Handler {
        if let handler = made.withLock({ $0[keyPath: table][key] }) { return handler }
        let handler = make()
        made.withLock { $0[keyPath: table][key] = handler }
        return handler
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { forget(counter, \.counters, registry.unregisterCounter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { forget(counter, \.counters, registry.unregisterCounter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { forget(gauge, \.gauges, registry.unregisterGauge) }
        if let histogram = handler as? ValueHistogram {
            forget(histogram, \.values, registry.unregisterValueHistogram)
        }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { forget(gauge, \.gauges, registry.unregisterGauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram {
            forget(histogram, \.durations, registry.unregisterDurationHistogram)
        }
    }

    /// Drops `handler` from `table` and from the registry, so that the next make of its series starts anew.
    private func forget<Handler: AnyObject>(
        _ handler: Handler,
        _ table: WritableKeyPath<Handlers, [SeriesKey: Handler]>,
        _ unregister: (Handler) -> Void
    ) {
        made.withLock { $0[keyPath: table] = $0[keyPath: table].filter { $0.value !== handler } }
        unregister(handler)
    }
}

/// The handlers made so far, by kind.
private struct Handlers {
    var counters: [SeriesKey: Prometheus.Counter] = [:]
    var gauges: [SeriesKey: Prometheus.Gauge] = [:]
    var durations: [SeriesKey: DurationHistogram] = [:]
    var values: [SeriesKey: ValueHistogram] = [:]
}

/// A metric's name and label set, in the order given (the daemon always gives a metric's labels in
/// the same order; another order only makes a second key for the same series).
private struct SeriesKey: Hashable {
    let label: String
    let dimensions: [String]

    init(_ label: String, _ dimensions: [(String, String)]) {
        self.label = label
        var flat: [String] = []
        flat.reserveCapacity(dimensions.count * 2)
        for (name, value) in dimensions {
            flat.append(name)
            flat.append(value)
        }
        self.dimensions = flat
    }
}
