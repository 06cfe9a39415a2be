/// Finds forged conversation structure in the folded text: chat-template markers, role headers
/// at line start and role tags.
///
/// Structure inside quotes, backticks or code fences is discounted (a developer asking about a
/// chat template quotes it); role tags in the middle of a sentence count half (they are being
/// talked about, not used).
struct DelimiterScanner {
    let rules: InjectionRules
    let text: FoldedText

    /// Weight of a marker that opens a system or developer turn (`<|im_start|>system`).
    static let forgedSystemTurn = 0.5
    /// Weight of a marker that opens an assistant or model turn.
    static let forgedAssistantTurn = 0.3

    func signals() -> [InjectionSignal] {
        var signals: [InjectionSignal] = []
        scanMarkersAndTags(into: &signals)
        HeaderScanner(rules: rules, text: text).scan(into: &signals)
        return signals
    }

    private var quotedFactor: Double { rules.cues.mentionDamping }

    private func scanMarkersAndTags(into signals: inout [InjectionSignal]) {
        let scalars = text.scalars
        // Every marker starts with ASCII punctuation; a bit mask makes the common case one test.
        var firstScalars: UInt128 = 1 << 0x3C
        for marker in rules.markers { if let first = marker.scalars.first, first < 128 { firstScalars |= 1 << first } }
        for index in 0..<text.textEnd {
            let value = scalars[index]
            guard value < 128, firstScalars & (1 << value) != 0 else { continue }
            let factor = isQuoted(markerAt: index) ? quotedFactor : 1
            for marker in rules.markers where marker.scalars.first == value && hasMarker(marker, at: index) {
                signals.append(InjectionSignal(family: .fakeDelimiter, rule: marker.id, weight: marker.weight * factor))
                if marker.rolesFollow, let role = role(after: index + marker.scalars.count) {
                    let (rule, weight) =
                        role == .system
                        ? ("delimiter.forged_system_turn", DelimiterScanner.forgedSystemTurn)
                        : ("delimiter.forged_assistant_turn", DelimiterScanner.forgedAssistantTurn)
                    signals.append(InjectionSignal(family: .fakeDelimiter, rule: rule, weight: weight * factor))
                }
            }
            // "<sys>" inside "<<sys>>" belongs to the marker, not a tag.
            let insideMarker = index > 0 && scalars[index - 1] == 0x3C
            if value == 0x3C, !insideMarker, let tag = roleTag(at: index) {
                let placement = isStructural(tagAt: index) ? 1 : 0.5
                let weight = tag.weight * min(placement, factor)
                signals.append(InjectionSignal(family: .fakeDelimiter, rule: tag.id, weight: weight))
            }
        }
    }

    /// Whether a marker at `index` is inside quotes or code. A marker that is itself a quoted
    /// string (`"role": "system"`) opens a quote, so the state just before it is what counts.
    private func isQuoted(markerAt index: Int) -> Bool {
        let value = text.scalars[index]
        guard value == 0x22 || value == 0x27 else { return text.isQuoted(scalarAt: index) }
        return index > 0 && text.isQuoted(scalarAt: index - 1)
    }

    private func hasMarker(_ marker: MarkerRule, at index: Int) -> Bool {
        let end = index + marker.scalars.count
        guard end <= text.textEnd else { return false }
        return text.scalars[index..<end].elementsEqual(marker.scalars)
    }

    /// The role named right after a marker, skipping up to three spaces or line breaks.
    private func role(after start: Int) -> MarkerRole? {
        var index = start
        while index < text.textEnd, index - start < 3, text.scalars[index] == 0x20 || text.scalars[index] == 0x0A {
            index += 1
        }
        let name = word(at: index, maximumLength: 16)
        return name.isEmpty ? nil : rules.markerRoles[name]
    }

    /// `<name>` or `</name>` for a role name in the tag table.
    private func roleTag(at index: Int) -> NamedRule? {
        var cursor = index + 1
        if cursor < text.textEnd, text.scalars[cursor] == 0x2F { cursor += 1 }  // "/"
        let name = word(at: cursor, maximumLength: 32, allowing: [0x5F, 0x2D])
        cursor += name.unicodeScalars.count
        guard !name.isEmpty, cursor < text.textEnd, text.scalars[cursor] == 0x3E else { return nil }  // ">"
        return rules.tags[name]
    }

    /// A tag is structural when it starts its line or follows another tag directly.
    private func isStructural(tagAt index: Int) -> Bool {
        var cursor = index - 1
        while cursor >= 0, text.scalars[cursor] == 0x20 || text.scalars[cursor] == 0x09 { cursor -= 1 }
        return cursor < 0 || text.scalars[cursor] == 0x0A || text.scalars[cursor] == 0x3E
    }

    /// The run of ASCII letters (and `allowing`) at `index`, at most `maximumLength` long.
    private func word(at index: Int, maximumLength: Int, allowing extra: [UInt32] = []) -> String {
        var scalars = String.UnicodeScalarView()
        var cursor = index
        while cursor < text.textEnd, cursor - index < maximumLength {
            let value = text.scalars[cursor]
            let isLetter = value >= 0x61 && value <= 0x7A
            guard isLetter || extra.contains(value), let scalar = Unicode.Scalar(value) else { break }
            scalars.append(scalar)
            cursor += 1
        }
        return String(scalars)
    }
}
