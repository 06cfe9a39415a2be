import NeuroLinkLimits

/// A fixed origin and offsets from it: every test decides the time, nothing reads the clock twice.
struct Timeline {
    let origin = ContinuousClock.now

    func at(_ offset: Duration) -> ContinuousClock.Instant { origin + offset }
    func ms(_ milliseconds: Int) -> ContinuousClock.Instant { origin + .milliseconds(milliseconds) }
    func seconds(_ seconds: Double) -> ContinuousClock.Instant { origin + .seconds(seconds) }
}

/// SplitMix64: a small seeded generator, so "random" sequences are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
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
