/// One piece of evidence behind a verdict.
///
/// A signal names the rule that fired and its weight, never the text it matched: verdicts are
/// written to logs and audit records, and the matched text may be user data.
public struct InjectionSignal: Sendable, Hashable, Codable {
    /// The family of the rule.
    public let family: InjectionFamily
    /// A short, stable rule id such as `override.ignore_previous`. Evidence found inside decoded
    /// hidden text carries the carrier as a prefix: `base64>override.ignore_previous`,
    /// `hex>…`, `percent>…`, `tags>…`, `selectors>…`.
    public let rule: String
    /// The rule's weight in 0...1 after any discount for quoted or reported use.
    public let weight: Double

    public init(family: InjectionFamily, rule: String, weight: Double) {
        self.family = family
        self.rule = rule
        self.weight = min(max(weight, 0), 1)
    }
}

/// The scorer's answer for one text.
///
/// `score = 1 − Π(1 − wᵢ)` over the signals, one per rule id (the strongest occurrence): each
/// rule is treated as independent evidence, a single strong rule is enough, and weak rules only
/// add up when several different ones agree. Repeating one phrase a hundred times counts once.
public struct InjectionVerdict: Sendable, Hashable, Codable {
    /// Combined evidence in 0...1; compare with ``InjectionScorer/defaultThreshold`` or a
    /// tenant's own threshold.
    public let score: Double
    /// The evidence, strongest first (ties by rule id), one signal per rule id.
    public let signals: [InjectionSignal]

    /// Deduplicates `signals` by rule id (keeping the strongest) and combines them.
    public init(signals: [InjectionSignal]) {
        var strongest: [String: InjectionSignal] = [:]
        for signal in signals where signal.weight > 0 {
            if let kept = strongest[signal.rule], kept.weight >= signal.weight { continue }
            strongest[signal.rule] = signal
        }
        let ordered = strongest.values.sorted { left, right in
            left.weight != right.weight ? left.weight > right.weight : left.rule < right.rule
        }
        var remaining = 1.0
        for signal in ordered { remaining *= 1 - signal.weight }
        self.signals = ordered
        self.score = min(max(1 - remaining, 0), 1)
    }

    /// A verdict with no evidence.
    public static let clean = InjectionVerdict(signals: [])

    /// Whether the score reaches `threshold` (inclusive).
    public func isAttack(threshold: Double = InjectionScorer.defaultThreshold) -> Bool {
        score >= threshold
    }

    /// The families that contributed at least one signal.
    public var families: Set<InjectionFamily> { Set(signals.map(\.family)) }
}
