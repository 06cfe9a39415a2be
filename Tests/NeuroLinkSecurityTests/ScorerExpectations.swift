import NeuroLinkSecurity

/// Shared scorer and shorthands for the family tests.
enum Scoring {
    static let scorer = InjectionScorer()

    static func verdict(_ text: String) -> InjectionVerdict {
        scorer.score(text)
    }

    static func isFlagged(_ text: String) -> Bool {
        verdict(text).isAttack()
    }

    /// Whether some signal of `family` fired, whatever the total.
    static func fires(_ family: InjectionFamily, in text: String) -> Bool {
        verdict(text).families.contains(family)
    }

    static func rules(_ text: String) -> Set<String> {
        Set(verdict(text).signals.map(\.rule))
    }
}
