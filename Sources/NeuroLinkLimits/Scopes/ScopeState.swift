import NeuroLinkBasics

/// What the limiter tracks locally per scope: requests in flight and counters for status.
struct ScopeState {
    var inFlight = 0
    var admitted = 0
    var rejections: [DenialReason: Int] = [:]
    var meter = RateMeter()
}

/// Admissions per second over roughly the last ten seconds, from two fixed windows blended by how
/// far the current one has run (the sliding-window-counter estimate): O(1) memory per scope.
struct RateMeter {
    static let window: Duration = .seconds(10)
    private var start: ContinuousClock.Instant?
    private var current = 0
    private var previous = 0

    mutating func record(now: ContinuousClock.Instant) {
        roll(now: now)
        current += 1
    }

    func perSecond(now: ContinuousClock.Instant) -> Double {
        var meter = self
        meter.roll(now: now)
        guard let start = meter.start else { return 0 }
        let elapsed = min(1, (now - start).secondsValue / Self.window.secondsValue)
        return (Double(meter.previous) * (1 - elapsed) + Double(meter.current)) / Self.window.secondsValue
    }

    private mutating func roll(now: ContinuousClock.Instant) {
        guard let begun = start else {
            start = now
            return
        }
        guard now - begun >= Self.window else { return }
        if now - begun >= Self.window * 2 {
            previous = 0
            start = now
        } else {
            previous = current
            start = begun + Self.window
        }
        current = 0
    }
}
