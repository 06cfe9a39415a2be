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

    /// Whether any of the cue phrases occurs in the text.
    static func containsAny(_ cue: borrowing CueList, text: FoldedText, terms: TokenTerms) -> Bool {
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
