/// Errors in a rule file.
public enum InjectionRuleError: Error, Equatable {
    case unknownList(String)
    case emptyAlternative(rule: String, text: String)
    case emptyRule(String)
    /// The file is not in the rule file's layout: what is wrong, and where.
    case malformedFile(String)
}

/// Turns the phrase lists into terms, folding every word exactly as prompts are folded.
struct RuleCompiler {
    private(set) var index = TermIndex()
    private let lists: [String: [String]]
    /// Each alternative's terms, by its text's fingerprint: the shipped rules spell out 4,938
    /// alternatives, of which 2,049 differ (lists are shared by many phrases), and folding is most
    /// of compiling. Interning a known term only finds it again, so a text's terms never change.
    /// (Keyed by a fingerprint rather than the text: hashing a `String` cost 800 instructions a
    /// lookup, two fifths of compiling the shipped rules.)
    private var sequences: [UInt64: KnownSequence] = [:]

    private struct KnownSequence {
        let text: String
        let terms: [TermID]
    }

    init(lists: [String: [String]]) {
        self.lists = lists
    }

    mutating func compile(_ phrase: RuleFile.Phrase) throws -> CompiledPhrase {
        var slots: [[[TermID]]] = []
        for slot in phrase.slots {
            var alternatives: [[TermID]] = []
            for text in try expand(slot) { alternatives.append(try sequence(text, rule: phrase.id)) }
            guard !alternatives.isEmpty else { throw InjectionRuleError.emptyRule(phrase.id) }
            slots.append(alternatives)
        }
        guard !slots.isEmpty else { throw InjectionRuleError.emptyRule(phrase.id) }
        var veto: [TermID] = []
        for text in try expand(phrase.veto ?? []) { veto.append(contentsOf: try sequence(text, rule: phrase.id)) }
        return CompiledPhrase(
            id: phrase.id,
            family: phrase.family,
            weight: min(max(phrase.weight, 0), 1),
            gap: max(phrase.gap, 0),
            slots: slots,
            veto: veto
        )
    }

    mutating func compileCues(
        _ cues: RuleFile.Cues,
        transforms: RuleFile.TransformCues,
        mention: Double,
        reported: Double
    ) throws -> ContextCues {
        var compiled = ContextCues()
        compiled.rot13 = CueList(try transforms.rot13.map { try sequence($0, rule: "transformCues.rot13") })
        compiled.reversed = CueList(try transforms.reversed.map { try sequence($0, rule: "transformCues.reversed") })
        compiled.meta = CueList(try expand(cues.meta).map { try sequence($0, rule: "cues.meta") })
        compiled.mention = try singleTerms(cues.mention, rule: "cues.mention")
        compiled.reported = try singleTerms(cues.reported, rule: "cues.reported")
        compiled.reportedToLeads = try singleTerms(cues.reportedToLeads, rule: "cues.reportedToLeads")
        compiled.to = try sequence("to", rule: "cues").first
        compiled.mentionDamping = min(max(mention, 0), 1)
        compiled.reportedDamping = min(max(reported, 0), 1)
        return compiled
    }

    static func byName(_ rules: [RuleFile.Named]) -> [String: NamedRule] {
        var table: [String: NamedRule] = [:]
        for rule in rules {
            for name in rule.names {
                let key = name.lowercased()
                if let known = table[key], known.weight >= rule.weight { continue }
                table[key] = NamedRule(id: rule.id, weight: rule.weight)
            }
        }
        return table
    }

    /// Header rules keyed by the hash of their lowercase name, words joined by one space.
    static func byNameHash(_ rules: [RuleFile.Named]) -> [UInt64: NamedRule] {
        var table: [UInt64: NamedRule] = [:]
        for rule in rules {
            for name in rule.names {
                let key = TermIndex.hash(name.lowercased().unicodeScalars.map(\.value))
                if let known = table[key], known.weight >= rule.weight { continue }
                table[key] = NamedRule(id: rule.id, weight: rule.weight)
            }
        }
        return table
    }

    static func roles(_ roles: RuleFile.Roles) -> [String: MarkerRole] {
        var table: [String: MarkerRole] = [:]
        for name in roles.system { table[name.lowercased()] = .system }
        for name in roles.assistant { table[name.lowercased()] = .assistant }
        return table
    }

    /// Expands `@list` references; lists do not nest.
    private func expand(_ texts: [String]) throws -> [String] {
        var expanded: [String] = []
        for text in texts {
            // Byte tests: `hasPrefix`/`hasSuffix` compare Unicode characters, a hundred times the cost.
            guard text.utf8.first == UInt8(ascii: "@") else {
                expanded.append(text)
                continue
            }
            let name = String(text.dropFirst())
            guard let list = lists[name] else { throw InjectionRuleError.unknownList(name) }
            expanded.append(contentsOf: list)
        }
        return expanded
    }

    private mutating func singleTerms(_ texts: [String], rule: String) throws -> Set<TermID> {
        var terms: Set<TermID> = []
        for text in try expand(texts) { terms.formUnion(try sequence(text, rule: rule)) }
        return terms
    }

    /// The term sequence of one alternative; a trailing `*` makes the last word a prefix.
    private mutating func sequence(_ text: String, rule: String) throws -> [TermID] {
        let fingerprint = Self.fingerprint(text)
        let known = sequences[fingerprint]
        if let known, known.text == text { return known.terms }
        let isPrefix = text.utf8.last == UInt8(ascii: "*")
        let folded = FoldedText(isPrefix ? String(text.dropLast()) : text)
        var terms: [TermID] = []
        for (position, token) in folded.tokens.enumerated() {
            let last = position == folded.tokens.count - 1
            let scalars = Array(folded.scalars(of: token))
            guard let term = index.intern(scalars, isPrefix: isPrefix && last) else {
                throw InjectionRuleError.emptyAlternative(rule: rule, text: text)
            }
            terms.append(term)
        }
        guard !terms.isEmpty else { throw InjectionRuleError.emptyAlternative(rule: rule, text: text) }
        // Two texts with one fingerprint: the first keeps the place, the other is compiled each time.
        if known == nil { sequences[fingerprint] = KnownSequence(text: text, terms: terms) }
        return terms
    }

    /// The term index's FNV-1a over the text's UTF-8 (read as one buffer: the view's iterator costs
    /// five times more).
    static func fingerprint(_ text: String) -> UInt64 {
        text.utf8.withContiguousStorageIfAvailable { TermIndex.hash($0.lazy.map(UInt32.init)) }
            ?? TermIndex.hash(text.utf8.lazy.map(UInt32.init))
    }
}
