/// Finds phrase rules in a folded text.
///
/// A rule is a sequence of slots; consecutive slots may be separated by at most `gap` tokens,
/// all within one sentence. Matching starts only at tokens that begin some rule, and each slot
/// is searched in a window of `gap + 1` tokens, keeping the set of reachable end positions
/// (not a backtracking search), so the work per start is bounded by slots × window × window.
/// A budget on match attempts bounds the total for texts made of nothing but trigger words.
struct PhraseMatcher {
    let rules: InjectionRules
    let text: FoldedText
    let terms: TokenTerms

    /// Most rule starts tried per text; ordinary prompts use a few hundred at most.
    static let attemptBudget = 50_000

    /// The strongest weight of each rule that matched, after context discounts.
    func signals() -> [InjectionSignal] {
        guard !terms.isEmpty else { return [] }
        let table = rules.phrases
        var best = [Double](repeating: -1, count: table.count)
        let attempts = scan(table, best: &best)
        var signals: [InjectionSignal] = []
        for (index, weight) in best.enumerated() where weight >= 0 {
            signals.append(InjectionSignal(family: table.rules[index].family, rule: table.ids[index], weight: weight))
        }
        if attempts > PhraseMatcher.attemptBudget {
            // Thousands of trigger words in one text are an anomaly in themselves.
            signals.append(InjectionSignal(family: .obfuscation, rule: "obfuscation.dense_triggers", weight: 0.25))
        }
        return signals
    }

    /// Tries every rule at every token that can start it; returns the number of attempts.
    private func scan(_ table: PhraseTable, best: inout [Double]) -> Int {
        var context: MatchContext?
        var attempts = 0
        for tokenIndex in text.tokens.indices {
            for term in terms.terms(at: tokenIndex) {
                for ruleIndex in table.rules(startingWith: term) {
                    let index = Int(ruleIndex)
                    let rule = table.rules[index]
                    // A rule already found at full weight cannot get stronger.
                    if best[index] >= rule.weight { continue }
                    attempts += 1
                    if attempts > PhraseMatcher.attemptBudget { return attempts }
                    guard let end = matchEnd(rule, in: table, from: tokenIndex) else { continue }
                    if context == nil { context = MatchContext(text: text, terms: terms, cues: rules.cues) }
                    let discounted = rule.weight * (context?.discount(forMatch: tokenIndex..<end) ?? 1)
                    best[index] = max(best[index], discounted)
                }
            }
        }
        return attempts
    }

    /// The end (exclusive) of the shortest match of rule `ruleIndex` starting at token `start`.
    func matchEnd(ruleAt ruleIndex: Int, from start: Int) -> Int? {
        matchEnd(rules.phrases.rules[ruleIndex], in: rules.phrases, from: start)
    }

    /// The end (exclusive) of the shortest match of `rule` starting at token `start`, if any.
    ///
    /// Reachable end positions are kept as bits relative to `start` (a match longer than 127
    /// tokens is not considered), so matching allocates nothing.
    func matchEnd(_ rule: PhraseTable.Rule, in table: PhraseTable, from start: Int) -> Int? {
        guard rule.slotStart < rule.slotEnd else { return nil }
        let sentence = text.tokens[start].sentence
        var frontier = ends(
            of: table.slots[rule.slotStart],
            in: table,
            at: start,
            relativeTo: start,
            sentence: sentence
        )
        for slotIndex in rule.slotStart + 1..<rule.slotEnd {
            guard frontier != 0 else { return nil }
            let slot = table.slots[slotIndex]
            var next: UInt128 = 0
            var remaining = frontier
            while remaining != 0 {
                let end = start + remaining.trailingZeroBitCount
                remaining &= remaining - 1
                let windowEnd = min(end + rule.gap, text.tokens.count - 1)
                guard end <= windowEnd else { continue }
                for position in end...windowEnd {
                    guard text.tokens[position].sentence == sentence else { break }
                    next |= ends(of: slot, in: table, at: position, relativeTo: start, sentence: sentence)
                }
            }
            frontier = next
        }
        guard frontier != 0 else { return nil }
        let end = start + frontier.trailingZeroBitCount
        if rule.vetoStart < rule.vetoEnd,
            (start..<end).contains(where: { terms.terms(at: $0).contains { table.isVeto($0, of: rule) } })
        {
            return nil
        }
        return end
    }

    /// End positions (bits relative to `origin`) of the slot's alternatives starting at `position`.
    private func ends(
        of slot: PhraseTable.Slot,
        in table: PhraseTable,
        at position: Int,
        relativeTo origin: Int,
        sentence: Int32
    ) -> UInt128 {
        var found: UInt128 = 0
        for term in terms.terms(at: position) where table.slot(slot, mayStartWith: term) {
            for alternativeIndex in slot.alternativeStart..<slot.alternativeEnd {
                let alternative = table.alternatives[alternativeIndex]
                guard table.terms[alternative.lowerBound] == term,
                    sequence(alternative, in: table, matchesAt: position, sentence: sentence)
                else { continue }
                let offset = position + alternative.count - origin
                if offset < 128 { found |= 1 << UInt128(offset) }
            }
        }
        return found
    }

    /// Whether the terms `alternative` (after its first, already checked) follow `position`.
    private func sequence(
        _ alternative: Range<Int>,
        in table: PhraseTable,
        matchesAt position: Int,
        sentence: Int32
    ) -> Bool {
        guard position + alternative.count <= text.tokens.count else { return false }
        for offset in 1..<alternative.count {
            let tokenIndex = position + offset
            guard text.tokens[tokenIndex].sentence == sentence,
                terms.contains(table.terms[alternative.lowerBound + offset], at: tokenIndex)
            else { return false }
        }
        return true
    }
}

/// Context that discounts a phrase match: quoted or mentioned in a text about attacks, or
/// reported rather than addressed to the model. A class, created only once a rule matched, so
/// the matcher's loop carries one pointer rather than the whole context.
final class MatchContext {
    let text: FoldedText
    let terms: TokenTerms
    let cues: ContextCues
    /// Whether the text talks about attacks at all (translate, detect, example, jailbreak…).
    let isMeta: Bool

    init(text: FoldedText, terms: TokenTerms, cues: ContextCues) {
        self.text = text
        self.terms = terms
        self.cues = cues
        self.isMeta = MatchContext.containsAny(cues.meta, text: text, terms: terms)
    }

    /// The factor applied to a match of tokens `range`: 1, or the smallest applicable discount.
    func discount(forMatch range: Range<Int>) -> Double {
        var factor = 1.0
        if isMeta, isQuoted(range) || followsCue(range.lowerBound, in: cues.mention) {
            factor = min(factor, cues.mentionDamping)
        }
        if isReported(range.lowerBound) { factor = min(factor, cues.reportedDamping) }
        return factor
    }

    private func isQuoted(_ range: Range<Int>) -> Bool {
        range.allSatisfy { text.tokens[$0].flags.contains(.quoted) }
    }

    /// Whether the token right before `start`, in the same sentence, is a cue.
    private func followsCue(_ start: Int, in cue: Set<TermID>) -> Bool {
        let position = start - 1
        guard position >= 0, text.tokens[position].sentence == text.tokens[start].sentence else { return false }
        return terms.terms(at: position).contains(where: cue.contains)
    }

    /// "why does the model ignore…", "don't ignore…", "how to print…", "can I print…".
    private func isReported(_ start: Int) -> Bool {
        let previous = start - 1
        guard previous >= 0, text.tokens[previous].sentence == text.tokens[start].sentence else { return false }
        let before = terms.terms(at: previous)
        if before.contains(where: cues.reported.contains) { return true }
        guard let to = cues.to, before.contains(to), previous >= 1 else { return false }
        return terms.terms(at: previous - 1).contains(where: cues.reportedToLeads.contains)
    }

    /// Whether any of the slot's alternatives occurs in the text.
    static func containsAny(_ cue: borrowing PhraseSlot, text: FoldedText, terms: TokenTerms) -> Bool {
        for position in text.tokens.indices {
            for term in terms.terms(at: position) where cue.mayStart(with: term) {
                for sequence in cue.alternatives where sequence[0] == term {
                    let end = position + sequence.count
                    guard end <= text.tokens.count else { continue }
                    if sequence.indices.allSatisfy({ terms.contains(sequence[$0], at: position + $0) }) { return true }
                }
            }
        }
        return false
    }
}
