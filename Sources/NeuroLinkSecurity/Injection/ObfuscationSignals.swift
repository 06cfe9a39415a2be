/// Turns the invisible-character census and the look-alike count into obfuscation signals.
struct ObfuscationSignals {
    let weights: ObfuscationWeights

    func signals(census: InvisibleCensus, mixedScriptWords: Int) -> [InjectionSignal] {
        var signals: [InjectionSignal] = []
        func add(_ rule: String, _ weight: Double) {
            signals.append(InjectionSignal(family: .obfuscation, rule: rule, weight: weight))
        }
        if census.tagCount >= 4 {
            add("obfuscation.tag_characters", weights.tagCharacters)
        } else if census.tagCount > 0 {
            add("obfuscation.tag_characters", weights.fewTagCharacters)
        }
        if census.selectorPayload.count >= 4 { add("obfuscation.variation_selector_run", weights.variationSelectorRun) }
        if let weight = tier(census.zeroWidthSplits, [1, 3, 8], weights.zeroWidthSplits) {
            add("obfuscation.zero_width_split", weight)
        }
        bidiSignals(census, add: add)
        if let weight = tier(mixedScriptWords, [1, 2, 3], weights.mixedScriptWords) {
            add("obfuscation.mixed_script_words", weight)
        }
        return signals
    }

    /// Bidi controls are ordinary next to Hebrew or Arabic; elsewhere they only reorder or hide.
    private func bidiSignals(_ census: InvisibleCensus, add: (String, Double) -> Void) {
        if census.hasRightToLeftLetters {
            if census.bidiOverrides > 0 { add("obfuscation.bidi_override", weights.bidiOverrideInRightToLeft) }
            return
        }
        if census.bidiOverrides > 0 { add("obfuscation.bidi_override", weights.bidiOverride) }
        if census.bidiControls >= 2 { add("obfuscation.bidi_controls", weights.bidiControls) }
    }

    /// The weight of the highest tier `count` reaches (`thresholds` ascending), if any.
    private func tier(_ count: Int, _ thresholds: [Int], _ tierWeights: [Double]) -> Double? {
        var weight: Double?
        for (threshold, tierWeight) in zip(thresholds, tierWeights) where count >= threshold {
            weight = tierWeight
        }
        return weight
    }
}
