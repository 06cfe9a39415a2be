/// Orders the eligible members of a pool for one request according to its ``RoutingStrategy``:
/// the first is tried first, the rest are the failover order.
///
/// A value type holding the little state the rotating strategies need (the round-robin cursor
/// and the smooth weighted round-robin counters); every call to ``order(_:)`` is one routing
/// decision and advances that state. Named `MemberSelector` rather than `Selector`, which would
/// clash with Objective-C's `Selector` wherever Foundation is imported on macOS.
public struct MemberSelector: Sendable, Hashable {
    /// The strategy ``order(_:)`` applies.
    public let strategy: RoutingStrategy
    /// The member the previous rotation started at.
    private var lastStart: Int?
    /// Smooth weighted round-robin "current weight" per member index.
    private var current: [Int: Double] = [:]

    public init(strategy: RoutingStrategy) {
        self.strategy = strategy
    }

    /// The member indices of `candidates` in preference order (empty for no candidates).
    public mutating func order(_ candidates: [CandidateSnapshot]) -> [Int] {
        guard !candidates.isEmpty else { return [] }
        switch strategy {
        case .priority:
            return candidates.sorted { ($0.priority, $0.index) < ($1.priority, $1.index) }.map(\.index)
        case .roundRobin:
            return rotation(candidates).map(\.index)
        case .weighted:
            return weightedOrder(candidates, weight: { Double(max(0, $0.weight)) })
        case .leastInflight:
            return stableSorted(rotation(candidates)) { $0.inFlight < $1.inFlight }.map(\.index)
        case .leastLatency:
            // Unmeasured members first, in rotation; then measured ones, fastest first.
            return stableSorted(rotation(candidates)) { lhs, rhs in
                switch (lhs.ewmaLatencyMs, rhs.ewmaLatencyMs) {
                case (nil, .some): true
                case (.some(let left), .some(let right)): left < right
                default: false
                }
            }.map(\.index)
        case .performanceBased:
            return weightedOrder(candidates, weight: PerformanceScore.score)
        }
    }

    /// Candidates in index order, starting after the member the previous rotation started at.
    private mutating func rotation(_ candidates: [CandidateSnapshot]) -> [CandidateSnapshot] {
        let sorted = candidates.sorted { $0.index < $1.index }
        let start = lastStart.flatMap { last in sorted.firstIndex { $0.index > last } } ?? 0
        lastStart = sorted[start].index
        return Array(sorted[start...] + sorted[..<start])
    }

    /// The smooth weighted round-robin pick first, then the others by descending weight.
    ///
    /// nginx's algorithm: every member's current weight grows by its weight, the largest is
    /// picked and lowered by the total. Over any run of picks each member's share stays within one
    /// pick of its weight share, and heavy members are interleaved rather than picked in bursts.
    /// Members of weight 0 are only picked when every member has weight 0 (then all count as 1).
    private mutating func weightedOrder(
        _ candidates: [CandidateSnapshot],
        weight: (CandidateSnapshot) -> Double
    ) -> [Int] {
        var weighted = candidates.map { (index: $0.index, weight: Self.usable(weight($0))) }
        if !weighted.contains(where: { $0.weight > 0 }) {
            weighted = weighted.map { ($0.index, 1) }
        }
        let total = weighted.reduce(0) { $0 + $1.weight }
        var chosen: (index: Int, current: Double)?
        for member in weighted where member.weight > 0 {
            let value = current[member.index, default: 0] + member.weight
            current[member.index] = value
            if chosen == nil || value > chosen?.current ?? 0 { chosen = (member.index, value) }
        }
        guard let chosen else { return candidates.map(\.index) }
        current[chosen.index] = chosen.current - total
        let rest = weighted.filter { $0.index != chosen.index }
            .sorted { ($0.weight, -$0.index) > ($1.weight, -$1.index) }
        return [chosen.index] + rest.map(\.index)
    }

    private static func usable(_ weight: Double) -> Double {
        weight.isFinite && weight > 0 ? weight : 0
    }

    /// A sort that keeps the given order among equals (which `sorted(by:)` does not promise).
    private func stableSorted(
        _ items: [CandidateSnapshot],
        by less: (CandidateSnapshot, CandidateSnapshot) -> Bool
    ) -> [CandidateSnapshot] {
        items.enumerated().sorted { lhs, rhs in
            if less(lhs.element, rhs.element) { return true }
            if less(rhs.element, lhs.element) { return false }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
