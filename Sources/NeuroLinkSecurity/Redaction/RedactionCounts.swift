/// How many matches of each kind were redacted.
public struct RedactionCounts: Sendable, Equatable, CustomStringConvertible {
    private var perKind: [Int] = Array(repeating: 0, count: PIIKind.count)

    /// No matches.
    public init() {}

    /// The number of redacted matches of `kind`.
    public subscript(kind: PIIKind) -> Int {
        perKind[kind.ordinal]
    }

    /// The number of redacted matches of all kinds.
    public var total: Int {
        perKind.reduce(0, +)
    }

    /// The kinds with at least one match, in declaration order, with their counts.
    public var nonZero: [(kind: PIIKind, count: Int)] {
        PIIKind.allCases.compactMap { kind in
            let count = perKind[kind.ordinal]
            return count > 0 ? (kind, count) : nil
        }
    }

    public var description: String {
        let parts = nonZero.map { "\($0.kind.rawValue)=\($0.count)" }
        return "RedactionCounts(" + parts.joined(separator: ", ") + ")"
    }

    /// Adds `other`'s counts to these (one request's counts from several redactors).
    public mutating func add(_ other: RedactionCounts) {
        for index in perKind.indices { perKind[index] += other.perKind[index] }
    }

    mutating func record(_ kind: PIIKind) {
        perKind[kind.ordinal] += 1
    }
}
