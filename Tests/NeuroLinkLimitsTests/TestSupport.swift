import NeuroLinkLimits
@_exported import NeuroLinkTestSupport

/// A fixed origin and offsets from it: every test decides the time, nothing reads the clock twice.
struct Timeline {
    let origin = ContinuousClock.now

    func at(_ offset: Duration) -> ContinuousClock.Instant { origin + offset }
    func ms(_ milliseconds: Int) -> ContinuousClock.Instant { origin + .milliseconds(milliseconds) }
    func seconds(_ seconds: Double) -> ContinuousClock.Instant { origin + .seconds(seconds) }
}

extension AdmissionDecision {
    var permit: AdmissionPermit? {
        if case .admitted(let permit) = self { return permit }
        return nil
    }

    var denial: LimitDenial? {
        if case .denied(let denial) = self { return denial }
        return nil
    }
}

func config(_ build: (inout RateLimitSettings) -> Void) -> RateLimitConfig {
    var settings = RateLimitSettings()
    build(&settings)
    return settings.resolved()
}
