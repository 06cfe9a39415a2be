/// Which kinds to redact and what to replace each with.
public struct RedactionRules: Sendable, Equatable {
    /// The kinds that are detected; the others pass through untouched.
    public var enabledKinds: Set<PIIKind>
    /// Replacement texts that override ``PIIKind/defaultReplacement`` for some kinds.
    public var replacements: [PIIKind: String]

    /// Every kind enabled, default replacements.
    public static let `default` = RedactionRules(enabledKinds: Set(PIIKind.allCases))

    /// Creates rules from enabled kinds and replacement overrides.
    public init(enabledKinds: Set<PIIKind>, replacements: [PIIKind: String] = [:]) {
        self.enabledKinds = enabledKinds
        self.replacements = replacements
    }

    /// The text that replaces a match of `kind`.
    public func replacement(for kind: PIIKind) -> String {
        replacements[kind] ?? kind.defaultReplacement
    }

    /// Whether `kind` is detected.
    public func isEnabled(_ kind: PIIKind) -> Bool {
        enabledKinds.contains(kind)
    }
}

/// The rules in the form the scanners use: a bit set and replacement bytes indexed by ordinal.
struct CompiledRedactionRules: Sendable {
    private let enabledMask: UInt32
    private let replacementBytes: [[UInt8]]

    init(_ rules: RedactionRules) {
        var mask: UInt32 = 0
        for kind in rules.enabledKinds {
            mask |= 1 << UInt32(kind.ordinal)
        }
        enabledMask = mask
        replacementBytes = PIIKind.allCases.map { Array(rules.replacement(for: $0).utf8) }
    }

    @inline(__always)
    func isEnabled(_ kind: PIIKind) -> Bool {
        enabledMask & (1 << UInt32(kind.ordinal)) != 0
    }

    func replacement(for kind: PIIKind) -> [UInt8] {
        replacementBytes[kind.ordinal]
    }
}
