import Synchronization

/// The live routing state of one member (breaker, statistics, health), carried from one
/// configuration generation to the next when the member's definition did not change.
public struct CarriedMemberState: Sendable {
    let breaker: CircuitBreaker
    let stats: MemberStats
    let health: MemberHealth
}

extension PoolRuntime {
    /// Every member's live state, by its definition.
    public func carriedStates() -> [MemberSpec: CarriedMemberState] {
        state.withLock { state in
            var states: [MemberSpec: CarriedMemberState] = [:]
            for member in state.members {
                states[member.spec] = CarriedMemberState(
                    breaker: member.breaker,
                    stats: member.stats,
                    health: member.health
                )
            }
            return states
        }
    }

    /// Takes over the state a previous generation had for each member with the same definition,
    /// when `keep` accepts it and this pool's breaker policy and statistics settings are the same;
    /// other members start afresh.
    public func adopt(_ states: [MemberSpec: CarriedMemberState], where keep: (MemberSpec) -> Bool = { _ in true }) {
        state.withLock { state in
            for index in state.members.indices {
                let spec = state.members[index].spec
                guard let carried = states[spec], keep(spec),
                    carried.breaker.policy == breakerPolicy,
                    carried.stats.settings == state.members[index].stats.settings
                else { continue }
                state.members[index].breaker = carried.breaker
                state.members[index].stats = carried.stats
                state.members[index].health = carried.health
            }
        }
    }
}
