import NeuroLinkBasics

/// A member's concurrency limit that adapts to its response times: additive increase while responses
/// beat the target and the limit is actually in use, multiplicative decrease when they miss it or the
/// member reports overload (429, 503/529, timeouts). The limit stays within `[minLimit, maxLimit]`.
///
/// "In use" means at least half the limit was in flight: growing an unused limit would only let a
/// later burst through untested, the failure AIMD limiters (Netflix concurrency-limits) guard against.
public struct AdaptiveConcurrencyLimit: Sendable, Hashable {
    public let settings: AdaptiveSettings
    /// The unrounded limit; the additive steps accumulate here.
    public private(set) var estimate: Double

    public init(settings: AdaptiveSettings) {
        var settings = settings
        settings.minLimit = max(1, settings.minLimit)
        settings.maxLimit = max(settings.minLimit, settings.maxLimit)
        if !(settings.decreaseFactor > 0 && settings.decreaseFactor < 1) { settings.decreaseFactor = 0.9 }
        if !(settings.increment > 0) || !settings.increment.isFinite { settings.increment = 1 }
        self.settings = settings
        let initial = settings.initialLimit ?? (settings.minLimit + settings.maxLimit) / 2
        estimate = Double(min(max(initial, settings.minLimit), settings.maxLimit))
    }

    /// The current limit: requests the member may have in flight.
    public var limit: Int { min(max(Int(saturating: estimate), settings.minLimit), settings.maxLimit) }

    /// Takes in one completed request: its `responseTime` and the member's in-flight count (this
    /// request included) when it completed.
    public mutating func record(responseTime: Duration, inFlight: Int) {
        if responseTime > settings.targetResponseTime {
            decrease()
        } else if inFlight * 2 >= limit {
            estimate = min(Double(settings.maxLimit), estimate + settings.increment)
        }
    }

    /// Takes in an overload signal from the member (429, 503/529, a timeout).
    public mutating func recordOverload() {
        decrease()
    }

    private mutating func decrease() {
        estimate = max(Double(settings.minLimit), estimate * settings.decreaseFactor)
    }
}
