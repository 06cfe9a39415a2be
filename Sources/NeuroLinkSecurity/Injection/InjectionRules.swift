#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything the scorer matches against, compiled once: phrase rules, delimiter markers, role
/// headers and tags, context cues, obfuscation weights and the semantic calibration.
///
/// ``default`` is compiled from `InjectionPhrases.json`, embedded in the binary at build time.
public struct InjectionRules: Sendable {
    /// How a caller-supplied exemplar similarity becomes a signal weight.
    public var semantic: SemanticCalibration
    /// Weights of the obfuscation signals.
    public var obfuscation: ObfuscationWeights
    /// Bounds on decoding hidden payloads.
    public var decoding: DecodingLimits

    let index: TermIndex
    let phrases: PhraseTable
    let cues: ContextCues
    let markers: [MarkerRule]
    let markerRoles: [String: MarkerRole]
    /// Header rules by `TermIndex.hash` of the name.
    let headers: [UInt64: NamedRule]
    let tags: [String: NamedRule]

    /// The shipped rules. The embedded file is checked by a unit test; if it were ever broken
    /// the scorer would run with no phrase rules rather than stop the daemon.
    public static let `default`: InjectionRules = {
        (try? InjectionRules(json: Data(PackageResources.InjectionPhrases_json))) ?? InjectionRules.empty
    }()

    /// Compiles rules from a file in the layout of `InjectionPhrases.json`.
    public init(json: Data) throws {
        let file = try json.withUnsafeBytes { try RuleFile(parsing: $0) }
        var compiler = RuleCompiler(lists: file.lists)
        var phrases: [CompiledPhrase] = []
        for phrase in file.phrases { phrases.append(try compiler.compile(phrase)) }
        let cues = try compiler.compileCues(
            file.cues,
            transforms: file.transformCues,
            mention: file.mentionDamping,
            reported: file.reportedDamping
        )
        self.init(
            index: compiler.index,
            phrases: phrases,
            cues: cues,
            markers: file.markers.map(MarkerRule.init),
            markerRoles: RuleCompiler.roles(file.markerRoles),
            headers: RuleCompiler.byNameHash(file.headers),
            tags: RuleCompiler.byName(file.tags)
        )
    }

    private init(
        index: TermIndex,
        phrases: [CompiledPhrase],
        cues: ContextCues,
        markers: [MarkerRule],
        markerRoles: [String: MarkerRole],
        headers: [UInt64: NamedRule],
        tags: [String: NamedRule]
    ) {
        self.index = index
        self.phrases = PhraseTable(phrases, termCount: Int(index.count))
        self.cues = cues
        self.markers = markers
        self.markerRoles = markerRoles
        self.headers = headers
        self.tags = tags
        self.semantic = SemanticCalibration()
        self.obfuscation = ObfuscationWeights()
        self.decoding = DecodingLimits()
    }

    /// No phrase, marker or header rules; obfuscation census and semantic mapping still apply.
    static let empty = InjectionRules(
        index: TermIndex(),
        phrases: [],
        cues: ContextCues(),
        markers: [],
        markerRoles: [:],
        headers: [:],
        tags: [:]
    )

    /// Number of compiled phrase rules (for diagnostics and tests).
    public var phraseRuleCount: Int { phrases.count }
}

/// Maps a similarity to the attack-exemplar bank (for example a cosine similarity from the
/// daemon's embedding model) to a signal weight: 0 at or below `floor`, rising linearly to
/// `maxWeight` at `ceiling`.
public struct SemanticCalibration: Sendable, Hashable {
    public var floor: Double
    public var ceiling: Double
    public var maxWeight: Double

    /// Defaults suited to sentence embeddings such as all-MiniLM-L6-v2; recalibrate per model.
    public init(floor: Double = 0.72, ceiling: Double = 0.9, maxWeight: Double = 0.6) {
        self.floor = floor
        self.ceiling = ceiling
        self.maxWeight = maxWeight
    }

    /// The weight for `similarity`; 0 for NaN or a degenerate calibration.
    public func weight(for similarity: Double) -> Double {
        guard similarity.isFinite, ceiling > floor else { return 0 }
        let position = (similarity - floor) / (ceiling - floor)
        return min(max(position, 0), 1) * min(max(maxWeight, 0), 1)
    }
}

/// Weights of the obfuscation signals. Each alone stays below the default threshold except a
/// hidden payload that decodes to an attack: hiding text is suspicious, not proof.
public struct ObfuscationWeights: Sendable, Hashable {
    /// Added when a base64, hex or percent-encoded block decodes to text that scores at least
    /// `payloadInnerScore`; the decoded text's own signals are added too.
    public var encodedPayload = 0.4
    public var payloadInnerScore = 0.3
    /// Unicode tag characters outside emoji flag sequences, with four or more of them.
    public var tagCharacters = 0.45
    /// One to three tag characters.
    public var fewTagCharacters = 0.2
    /// A run of variation selectors long enough to carry bytes.
    public var variationSelectorRun = 0.4
    /// Zero-width characters inside Latin, Greek or Cyrillic words: 1–2, 3–7, 8 or more.
    public var zeroWidthSplits: [Double] = [0.15, 0.3, 0.45]
    /// Right-to-left or left-to-right override in text without Hebrew or Arabic letters.
    public var bidiOverride = 0.35
    /// Two or more other bidi controls in text without Hebrew or Arabic letters.
    public var bidiControls = 0.25
    /// An override even where right-to-left text is present.
    public var bidiOverrideInRightToLeft = 0.15
    /// Words mixing Latin with Cyrillic or Greek look-alikes: 1, 2, 3 or more.
    public var mixedScriptWords: [Double] = [0.15, 0.3, 0.45]

    public init() {}
}

/// Bounds on the work spent finding and decoding hidden payloads, whatever the input.
public struct DecodingLimits: Sendable, Hashable {
    /// Shortest base64 run considered (24 characters decode to 18 bytes).
    public var minimumBase64Length = 24
    /// Fewest bytes a hex or percent-encoded run must hold.
    public var minimumHexBytes = 8
    /// Most candidate blocks decoded per text.
    public var maximumCandidates = 16
    /// Most bytes decoded from one candidate; longer blocks are decoded from their start only.
    public var maximumDecodedBytes = 4096
    /// Most characters of decoded text scored per text, all payloads together.
    public var maximumDecodedTotal = 16384

    public init() {}
}
