/// A phrase rule as the compiler produces it.
struct CompiledPhrase {
    let id: String
    let family: InjectionFamily
    let weight: Double
    let gap: Int
    /// Slots, each a list of alternatives, each a term sequence.
    let slots: [[[TermID]]]
    let veto: [TermID]
}

/// Every phrase rule flattened into immutable buffers of plain values.
///
/// The matcher's inner loops read rules, slots and alternatives millions of times per large
/// prompt; from arrays of structs holding arrays, each read costs reference counting. Here a
/// read is a load. Allocated once per `InjectionRules` and never mutated, hence safe to share.
final class PhraseTable: @unchecked Sendable {
    /// One rule: its slots are `slots[slotStart..<slotEnd]`, its veto terms
    /// `vetoTerms[vetoStart..<vetoEnd]`.
    struct Rule {
        let family: InjectionFamily
        let weight: Double
        let gap: Int
        let slotStart: Int
        let slotEnd: Int
        let vetoStart: Int
        let vetoEnd: Int
    }

    /// One slot: alternatives `alternatives[alternativeStart..<alternativeEnd]` and a bit set of
    /// their first terms in `bits[bitsStart..<bitsEnd]`.
    struct Slot {
        let alternativeStart: Int
        let alternativeEnd: Int
        let bitsStart: Int
        let bitsEnd: Int
    }

    let ids: [String]
    let rules: UnsafeMutableBufferPointer<Rule>
    let slots: UnsafeMutableBufferPointer<Slot>
    /// Term ranges of the alternatives in `terms`.
    let alternatives: UnsafeMutableBufferPointer<Range<Int>>
    let terms: UnsafeMutableBufferPointer<TermID>
    let bits: UnsafeMutableBufferPointer<UInt64>
    let vetoTerms: UnsafeMutableBufferPointer<TermID>
    /// Rules whose first slot can start with term `t`: `firstRules[firstOffsets[t]..<firstOffsets[t + 1]]`.
    let firstOffsets: UnsafeMutableBufferPointer<Int32>
    let firstRules: UnsafeMutableBufferPointer<Int32>

    init(_ phrases: [CompiledPhrase], termCount: Int) {
        var builder = Builder()
        for phrase in phrases { builder.add(phrase) }
        ids = phrases.map(\.id)
        rules = PhraseTable.copy(builder.rules)
        slots = PhraseTable.copy(builder.slots)
        alternatives = PhraseTable.copy(builder.alternatives)
        terms = PhraseTable.copy(builder.terms)
        bits = PhraseTable.copy(builder.bits)
        vetoTerms = PhraseTable.copy(builder.vetoTerms)
        let index = builder.firstRuleIndex(termCount: termCount)
        firstOffsets = PhraseTable.copy(index.offsets)
        firstRules = PhraseTable.copy(index.rules)
    }

    deinit {
        rules.deallocate()
        slots.deallocate()
        alternatives.deallocate()
        terms.deallocate()
        bits.deallocate()
        vetoTerms.deallocate()
        firstOffsets.deallocate()
        firstRules.deallocate()
    }

    var count: Int { rules.count }

    /// The rules that can start at a token matching `term`.
    func rules(startingWith term: TermID) -> UnsafeMutableBufferPointer<Int32> {
        let position = Int(term)
        guard position >= 0, position + 1 < firstOffsets.count else { return firstRules.extracting(0..<0) }
        return firstRules.extracting(Int(firstOffsets[position])..<Int(firstOffsets[position + 1]))
    }

    /// Whether some alternative of `slot` starts with `term`.
    func slot(_ slot: Slot, mayStartWith term: TermID) -> Bool {
        let word = Int(term) >> 6
        return word < slot.bitsEnd - slot.bitsStart && bits[slot.bitsStart + word] & (1 << UInt64(term & 63)) != 0
    }

    /// Whether `term` cancels a match of `rule`.
    func isVeto(_ term: TermID, of rule: Rule) -> Bool {
        (rule.vetoStart..<rule.vetoEnd).contains { vetoTerms[$0] == term }
    }

    private static func copy<Element>(_ values: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(fromContentsOf: values)
        return buffer.extracting(0..<values.count)
    }

    /// Accumulates the flat arrays.
    private struct Builder {
        var rules: [Rule] = []
        var slots: [Slot] = []
        var alternatives: [Range<Int>] = []
        var terms: [TermID] = []
        var bits: [UInt64] = []
        var vetoTerms: [TermID] = []

        mutating func add(_ phrase: CompiledPhrase) {
            let slotStart = slots.count
            for slot in phrase.slots { addSlot(slot) }
            let vetoStart = vetoTerms.count
            vetoTerms.append(contentsOf: phrase.veto)
            rules.append(
                Rule(
                    family: phrase.family,
                    weight: phrase.weight,
                    gap: phrase.gap,
                    slotStart: slotStart,
                    slotEnd: slots.count,
                    vetoStart: vetoStart,
                    vetoEnd: vetoTerms.count
                )
            )
        }

        private mutating func addSlot(_ slotAlternatives: [[TermID]]) {
            let alternativeStart = alternatives.count
            var slotBits: [UInt64] = []
            for alternative in slotAlternatives where !alternative.isEmpty {
                alternatives.append(terms.count..<terms.count + alternative.count)
                terms.append(contentsOf: alternative)
                let word = Int(alternative[0]) >> 6
                if slotBits.count <= word {
                    slotBits.append(contentsOf: repeatElement(0, count: word + 1 - slotBits.count))
                }
                slotBits[word] |= 1 << UInt64(alternative[0] & 63)
            }
            let bitsStart = bits.count
            bits.append(contentsOf: slotBits)
            slots.append(
                Slot(
                    alternativeStart: alternativeStart,
                    alternativeEnd: alternatives.count,
                    bitsStart: bitsStart,
                    bitsEnd: bits.count
                )
            )
        }

        /// For each term, the rules whose first slot has an alternative starting with it.
        func firstRuleIndex(termCount: Int) -> (offsets: [Int32], rules: [Int32]) {
            var byTerm = [[Int32]](repeating: [], count: termCount)
            for (ruleIndex, rule) in rules.enumerated() where rule.slotStart < rule.slotEnd {
                let slot = slots[rule.slotStart]
                var seen: Set<TermID> = []
                for alternative in alternatives[slot.alternativeStart..<slot.alternativeEnd] {
                    let first = terms[alternative.lowerBound]
                    if Int(first) < termCount, seen.insert(first).inserted {
                        byTerm[Int(first)].append(Int32(ruleIndex))
                    }
                }
            }
            var offsets: [Int32] = [0]
            var flat: [Int32] = []
            for list in byTerm {
                flat.append(contentsOf: list)
                offsets.append(Int32(flat.count))
            }
            return (offsets, flat)
        }
    }
}
