/// The JSON layout of `InjectionPhrases.json`.
///
/// Phrase slots are lists of alternatives; an alternative is a word sequence that must appear
/// contiguously (after folding), a trailing `*` makes its last word a prefix, and `@name` expands
/// to the list `name` in `lists`.
struct RuleFile {
    struct Phrase {
        var id: String
        var family: InjectionFamily
        var weight: Double
        /// Most tokens that may stand between two consecutive slots.
        var gap: Int
        var slots: [[String]]
        /// Words that cancel a match when they appear inside it ("ignore *my* previous
        /// instructions" is about the writer's own messages).
        var veto: [String]?
    }

    struct Marker {
        var id: String
        var weight: Double
        var text: String
        /// Whether a role name may follow the marker (`<|im_start|>system`).
        var rolesFollow: Bool?
    }

    struct Named {
        var id: String
        var weight: Double
        var names: [String]
    }

    struct Cues {
        /// Words that show the text talks about attacks (translate, detect, example…).
        var meta: [String]
        /// Words right before a match that show it is mentioned ("phrases like …").
        var mention: [String]
        /// Words right before a match that show it is reported, negated or the writer's own
        /// action ("why does the model ignore…", "how can I print…").
        var reported: [String]
        /// Words before "to" that make the verb after it an infinitive ("how to print…").
        var reportedToLeads: [String]
    }

    /// Words that announce a transformed payload: the whole text is then also read decoded.
    struct TransformCues {
        var rot13: [String]
        var reversed: [String]
    }

    struct Roles {
        var system: [String]
        var assistant: [String]
    }

    var version: Int
    var mentionDamping: Double
    var reportedDamping: Double
    var lists: [String: [String]]
    var phrases: [Phrase]
    var cues: Cues
    var transformCues: TransformCues
    var markers: [Marker]
    var markerRoles: Roles
    var headers: [Named]
    var tags: [Named]
}
