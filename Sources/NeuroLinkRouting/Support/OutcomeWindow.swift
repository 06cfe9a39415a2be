/// The outcomes (failed or not) of the last `capacity` calls, in a fixed ring: the sliding
/// count-based window both the breaker's failure rate and the member error rate are computed over.
struct OutcomeWindow: Sendable, Hashable {
    let capacity: Int
    private var slots: [Bool] = []
    private var next = 0
    private(set) var failures = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Calls currently in the window.
    var count: Int { slots.count }

    /// Failures among the calls in the window, 0...1 (0 when empty).
    var failureRate: Double {
        slots.isEmpty ? 0 : Double(failures) / Double(slots.count)
    }

    mutating func record(failed: Bool) {
        if slots.count < capacity {
            slots.append(failed)
        } else {
            if slots[next] { failures -= 1 }
            slots[next] = failed
        }
        if failed { failures += 1 }
        next = (next + 1) % capacity
    }

    mutating func reset() {
        slots.removeAll(keepingCapacity: true)
        next = 0
        failures = 0
    }
}
