/// A scope with its hash computed once: the key of the limiter's scope table. One admission looks
/// each of its four scopes up about four times (in-flight check, slot, admission count, release)
/// and builds a bucket key per dimension from it; hashing the tenant and provider names afresh each
/// time was most of the limiter's cost.
struct ScopeKey: Hashable, Sendable {
    let scope: LimitScope
    let hash: Int

    init(_ scope: LimitScope) {
        self.scope = scope
        hash = scope.hashValue
    }

    static let global = ScopeKey(.global)

    static func == (lhs: ScopeKey, rhs: ScopeKey) -> Bool {
        lhs.hash == rhs.hash && lhs.scope == rhs.scope
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}
