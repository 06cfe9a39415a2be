import NeuroLinkBasics
import NeuroLinkProtocol

/// How ``MemberStats`` averages.
public struct StatsSettings: Sendable, Hashable {
    /// Weight of the newest time-to-first-chunk sample in its moving average (0 < α ≤ 1).
    public let latencyAlpha: Double
    /// Weight of the newest throughput sample in its moving average (0 < α ≤ 1).
    public let throughputAlpha: Double
    /// Recent outcomes the error rate is computed over.
    public let errorWindow: Int

    public init(latencyAlpha: Double = 0.3, throughputAlpha: Double = 0.3, errorWindow: Int = 50) {
        self.latencyAlpha = Self.alpha(latencyAlpha)
        self.throughputAlpha = Self.alpha(throughputAlpha)
        self.errorWindow = max(1, errorWindow)
    }

    private static func alpha(_ value: Double) -> Double {
        value.isNaN ? 0.3 : value.clamped(to: 0.01...1)
    }
}

/// Live statistics of one pool member, fed by the outcome of every attempt routed to it.
///
/// - Latency is the exponentially weighted moving average of the time to the first chunk, the
///   delay a streaming client feels (the whole duration when no chunk came).
/// - Throughput is the moving average of output tokens per second while streaming, i.e. after the
///   first chunk; when that part took under 100 ms (an answer in one or two chunks) the whole
///   duration is used instead, so that a tiny denominator cannot produce an absurd rate.
/// - The error rate is the share of failures among the last `errorWindow` outcomes, counting only
///   failures that are the member's fault (the transient classes, `auth` and `quota_exhausted`);
///   a request the provider rightly refused (`invalid_request`, `context_length`, `content_filter`)
///   is left out of the window, though it still counts in ``failures``.
public struct MemberStats: Sendable, Hashable {
    /// How the averages and the error rate are computed.
    public let settings: StatsSettings
    /// Attempts started and not yet finished.
    public private(set) var inFlight = 0
    /// Moving average of the time to first chunk, in milliseconds; `nil` before the first success.
    public private(set) var ewmaLatencyMs: Double?
    /// Moving average of output tokens per second; `nil` before the first success that reported tokens.
    public private(set) var throughputTps: Double?
    /// Class and time of the most recent failure.
    public private(set) var lastFailure: FailureClass?
    public private(set) var lastFailureAt: ContinuousClock.Instant?
    /// Attempts finished (successes and failures).
    public private(set) var requests = 0
    /// Attempts failed, of any class.
    public private(set) var failures = 0
    private var outcomes: OutcomeWindow

    public init(settings: StatsSettings = StatsSettings()) {
        self.settings = settings
        outcomes = OutcomeWindow(capacity: settings.errorWindow)
    }

    /// Failures among recent outcomes, in percent (0 when there are none).
    public var errorRatePct: Double { outcomes.failureRate * 100 }

    /// An attempt started.
    public mutating func begin() {
        inFlight += 1
    }

    /// An attempt ended; never lets the count go below zero, whatever the caller does.
    public mutating func end() {
        inFlight = max(0, inFlight - 1)
    }

    /// A successful attempt; does not touch ``inFlight`` (see ``end()``).
    public mutating func recordSuccess(timeToFirstChunk: Duration?, duration: Duration, outputTokens: Int?) {
        requests += 1
        outcomes.record(failed: false)
        let latency = (timeToFirstChunk ?? duration).millisecondsValue
        if latency.isFinite, latency >= 0 {
            ewmaLatencyMs = Self.average(ewmaLatencyMs, latency, alpha: settings.latencyAlpha)
        }
        if let tokens = outputTokens, tokens > 0 {
            let streaming = duration - (timeToFirstChunk ?? .zero)
            let seconds = (streaming >= .milliseconds(100) ? streaming : duration).secondsValue
            if seconds > 0 {
                throughputTps = Self.average(throughputTps, Double(tokens) / seconds, alpha: settings.throughputAlpha)
            }
        }
    }

    /// A failed attempt; does not touch ``inFlight`` (see ``end()``).
    public mutating func recordFailure(_ failureClass: FailureClass, now: ContinuousClock.Instant) {
        requests += 1
        failures += 1
        lastFailure = failureClass
        lastFailureAt = now
        if failureClass.isMemberFault { outcomes.record(failed: true) }
    }

    private static func average(_ current: Double?, _ sample: Double, alpha: Double) -> Double {
        guard let current else { return sample }
        return alpha * sample + (1 - alpha) * current
    }
}

extension FailureClass {
    /// Whether the failure reflects on the member rather than on the request.
    var isMemberFault: Bool {
        isTransient || self == .auth || self == .quotaExhausted
    }
}
