/// Scores user and tool messages for prompt injection before they reach a provider.
///
/// Lexical, deterministic and explainable: the text is folded (invisible characters removed,
/// NFKC, Cyrillic/Greek look-alikes to Latin, lowercase, Latin accents stripped), cut into
/// tokens, and matched against phrase rules with bounded gaps, chat-template markers and role
/// headers; base64, hex, percent-encoded, tag-character and variation-selector payloads are
/// decoded once and scored the same way. Work is linear in the text with bounded constants;
/// there are no regular expressions.
///
/// Scored texts should be user and tool content, never the system prompt (which legitimately
/// contains "system" headers and instructions).
///
/// ```swift
/// let verdict = InjectionScorer().score(message)
/// if verdict.isAttack(threshold: tenant.injectionThreshold) { … }
/// ```
public struct InjectionScorer: Sendable {
    /// The threshold used when a tenant sets none. One strong rule (weight ≥ 0.5, such as
    /// "ignore all previous instructions") reaches it alone; weak evidence (a lone role header,
    /// a chat-template token a developer asks about, a few zero-width characters) needs a
    /// second, independent rule to reach it. On the labelled sets it caught 189/190 attacks
    /// with 1/194 benign prompts flagged (the set it was tuned on) and 42/42 with 1/42 (held out).
    public static let defaultThreshold = 0.5

    public let rules: InjectionRules

    public init(rules: InjectionRules = .default) {
        self.rules = rules
    }

    /// Scores `text` on lexical evidence only.
    public func score(_ text: String) -> InjectionVerdict {
        score(text, semanticSimilarity: nil)
    }

    /// Scores `text`, adding a `semantic_similarity` signal for `semanticSimilarity`: the
    /// caller's similarity between the text and the attack-exemplar bank
    /// (``InjectionExemplars/bank``), mapped through ``InjectionRules/semantic``.
    public func score(_ text: String, semanticSimilarity: Double?) -> InjectionVerdict {
        var signals = evidence(in: text, decodeHidden: true)
        if let semanticSimilarity {
            let weight = rules.semantic.weight(for: semanticSimilarity)
            if weight > 0 {
                signals.append(InjectionSignal(family: .semanticSimilarity, rule: "semantic.exemplar", weight: weight))
            }
        }
        return InjectionVerdict(signals: signals)
    }

    /// All signals in `text`; hidden payloads are decoded and scored only when `decodeHidden`,
    /// so decoding happens once (a payload inside a payload is not opened).
    private func evidence(in text: String, decodeHidden: Bool) -> [InjectionSignal] {
        let census = InvisibleCensus(text)
        let folded = FoldedText(census.cleaned)
        let terms = TokenTerms(folded, index: rules.index)
        var signals = PhraseMatcher(rules: rules, text: folded, terms: terms).signals()
        signals += DelimiterScanner(rules: rules, text: folded).signals()
        signals += ObfuscationSignals(weights: rules.obfuscation)
            .signals(census: census, mixedScriptWords: folded.mixedScriptWords)
        if decodeHidden {
            var payloads = hiddenPayloads(in: census)
            payloads += announcedTransforms(of: census.cleaned, folded: folded, terms: terms)
            signals += payloadSignals(payloads)
        }
        return signals
    }

    /// Encoded blocks, tag characters and variation-selector runs that decode to text.
    private func hiddenPayloads(in census: InvisibleCensus) -> [EncodedPayload] {
        var payloads = EncodedPayloadFinder(limits: rules.decoding).payloads(in: census.cleaned)
        if !census.tagPayload.isEmpty { payloads.append(EncodedPayload(carrier: .tags, text: census.tagPayload)) }
        if let text = ReadableText.decode(census.selectorPayload) {
            payloads.append(EncodedPayload(carrier: .selectors, text: text))
        }
        return payloads
    }

    /// ROT13 and reversed text cannot be recognised by their characters, so they are undone
    /// only when the text names the transform ("rot13", "reverse", "backwards"), on a bounded
    /// prefix.
    private func announcedTransforms(of text: String, folded: FoldedText, terms: TokenTerms) -> [EncodedPayload] {
        let cues = rules.cues
        let rot13 = MatchContext.containsAny(cues.rot13, text: folded, terms: terms)
        let reversed = MatchContext.containsAny(cues.reversed, text: folded, terms: terms)
        guard rot13 || reversed else { return [] }
        let limit = rules.decoding.maximumDecodedTotal
        let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
        var payloads: [EncodedPayload] = []
        if rot13 { payloads.append(EncodedPayload(carrier: .rot13, text: Rot13.apply(prefix))) }
        if reversed { payloads.append(EncodedPayload(carrier: .reversed, text: String(prefix.reversed()))) }
        return payloads
    }

    /// Scores each hidden payload; one that reads as an attack adds its carrier's signal and its
    /// own signals, prefixed with the carrier (`base64>override.ignore_previous`).
    private func payloadSignals(_ payloads: [EncodedPayload]) -> [InjectionSignal] {
        var signals: [InjectionSignal] = []
        for payload in payloads {
            let inner = InjectionVerdict(signals: evidence(in: payload.text, decodeHidden: false))
            guard inner.score >= rules.obfuscation.payloadInnerScore else { continue }
            if payload.carrier.hasPayloadSignal {
                let rule = "obfuscation.\(payload.carrier.rawValue)_payload"
                signals.append(
                    InjectionSignal(family: .obfuscation, rule: rule, weight: rules.obfuscation.encodedPayload)
                )
            }
            for signal in inner.signals {
                let rule = "\(payload.carrier.rawValue)>\(signal.rule)"
                signals.append(InjectionSignal(family: signal.family, rule: rule, weight: signal.weight))
            }
        }
        return signals
    }
}

/// ROT13 over ASCII letters.
enum Rot13 {
    static func apply(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let base: UInt32? =
                (0x41...0x5A).contains(value) ? 0x41 : (0x61...0x7A).contains(value) ? 0x61 : nil
            guard let base, let rotated = Unicode.Scalar(base + (value - base + 13) % 26) else {
                scalars.append(scalar)
                continue
            }
            scalars.append(rotated)
        }
        return String(scalars)
    }
}
