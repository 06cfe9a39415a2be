/// Word sequences (cue phrases) with a bit set of their first terms, so that a token is tested
/// with one bit before any sequence is compared.
struct CueList: Sendable {
    let alternatives: [[TermID]]
    private let firstTermBits: [UInt64]

    init(_ alternatives: [[TermID]]) {
        self.alternatives = alternatives
        var bits: [UInt64] = []
        for first in alternatives.compactMap(\.first) {
            let word = Int(first) >> 6
            if bits.count <= word { bits.append(contentsOf: repeatElement(0, count: word + 1 - bits.count)) }
            bits[word] |= 1 << UInt64(first & 63)
        }
        firstTermBits = bits
    }

    /// Whether some alternative starts with `term`.
    func mayStart(with term: TermID) -> Bool {
        let word = Int(term) >> 6
        return word < firstTermBits.count && firstTermBits[word] & (1 << UInt64(term & 63)) != 0
    }
}

/// Cue words that discount a phrase match, compiled to terms.
struct ContextCues: Sendable {
    var meta = CueList([])
    var mention: Set<TermID> = []
    var reported: Set<TermID> = []
    var reportedToLeads: Set<TermID> = []
    var to: TermID?
    /// "rot13", "caesar": the text is also scored with ROT13 undone.
    var rot13 = CueList([])
    /// "reverse", "backwards": the text is also scored reversed.
    var reversed = CueList([])
    var mentionDamping = 1.0
    var reportedDamping = 1.0
}

/// A literal chat-template marker such as `<|im_start|>`, in folded (lowercase) scalars.
struct MarkerRule: Sendable {
    let id: String
    let weight: Double
    let scalars: [UInt32]
    let rolesFollow: Bool

    init(_ marker: RuleFile.Marker) {
        id = marker.id
        weight = marker.weight
        scalars = marker.text.lowercased().unicodeScalars.map(\.value)
        rolesFollow = marker.rolesFollow ?? false
    }
}

/// The role a marker opens, when a role name follows it.
enum MarkerRole: Sendable {
    case system
    case assistant
}

/// A header or tag rule reached by name.
struct NamedRule: Sendable {
    let id: String
    let weight: Double
}
