/// Finds phrase rules in a folded text.
///
/// A rule is a sequence of slots; consecutive slots may be separated by at most `gap` tokens,
/// all within one sentence. Matching starts only at tokens that begin some rule, and each slot
/// is searched in a window of `gap + 1` tokens, keeping the set of reachable end positions
/// (not a backtracking search), so the work per start is bounded by slots × window × window.
/// A budget on match attempts, linear in the number of tokens, bounds the total for texts made
/// of nothing but trigger words.
struct PhraseMatcher {
    let rules: InjectionRules
    let text: FoldedText
    let terms: TokenTerms

    /// Rule starts tried per text: a base plus two per token. Ordinary text needs under one
    /// attempt per token, so only texts dense with trigger words reach the budget.
    var attemptBudget: Int { 50_000 + 2 * text.tokens.count }

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
        if attempts > attemptBudget {
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
                    if attempts > attemptBudget { return attempts }
                    guard let end = matchEnd(rule, in: table, from: tokenIndex) else { continue }
                    if context == nil { context = MatchContext(text: text, terms: terms, cues: rules.cues) }
                    let discounted = rule.weight * (context?.discount(forMatch: tokenIndex..<end) ?? 1)
                    best[index] = max(best[index], discounted)
                }
            }
        }
        return attempts
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
