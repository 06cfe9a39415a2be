/// Applies content filter rules to a whole text: the reference semantics that
/// ``StreamingContentFilter`` reproduces exactly for any chunking.
///
/// The text is scanned as Unicode scalars, left to right. At each position every rule is tried
/// (terms against the case-folded scalars, patterns against their byte window); see
/// ``ContentFilterRules`` for which match wins. A replace match is replaced and the scan resumes
/// after it; a stop match ends the output before it. Elsewhere the scalar is copied.
///
/// Not `Sendable` because Swift's `Regex` is not: create one where it is used, from the `Sendable`
/// ``ContentFilterRules``.
public struct ContentFilter {
    private let compiled: CompiledContentFilter

    /// Compiles `rules`; throws if a rule cannot be used.
    public init(rules: ContentFilterRules) throws(ContentFilterError) {
        compiled = try CompiledContentFilter(rules)
    }

    /// Filters `text`.
    public func apply(_ text: String) -> ContentFilterResult {
        let result = apply(utf8: text.utf8)
        return ContentFilterResult(
            text: String(decoding: result.bytes, as: UTF8.self),
            stop: result.stop,
            replacementCount: result.replacementCount
        )
    }

    /// Filters UTF-8 bytes. Bytes that are not well-formed UTF-8 are read as U+FFFD for matching
    /// and passed through unchanged.
    public func apply(
        utf8 text: some Collection<UInt8>
    ) -> (bytes: [UInt8], stop: ContentFilterStop?, replacementCount: Int) {
        let input = Array(text)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        let outcome = input.withUnsafeBufferPointer { bytes in
            scan(bytes, into: &output)
        }
        return (output, outcome.stop, outcome.replacements)
    }

    private func scan(
        _ bytes: UnsafeBufferPointer<UInt8>,
        into output: inout [UInt8]
    ) -> (stop: ContentFilterStop?, replacements: Int) {
        var replacements = 0
        var position = 0
        var copiedUpTo = 0
        while position < bytes.count {
            let window = FilterTextWindow(bytes: bytes, start: position, availableEnd: bytes.count, isFinal: true)
            // A final window never asks for more input, so `try?` only flattens the signatures.
            let decision = compiled.mayStart(with: bytes[position]) ? (try? compiled.decide(window)) ?? nil : nil
            guard let decision else {
                position += window.finalUnitLength(at: position)
                continue
            }
            output.append(contentsOf: bytes[copiedUpTo..<position])
            switch decision {
            case .stop(let ruleIndex):
                return (ContentFilterStop(ruleIndex: ruleIndex, ruleID: compiled.rules[ruleIndex].id), replacements)
            case .replace(let ruleIndex, let length):
                output.append(contentsOf: compiled.replacement(for: ruleIndex).utf8)
                replacements += 1
                position += length
                copiedUpTo = position
            }
        }
        output.append(contentsOf: bytes[copiedUpTo..<bytes.count])
        return (nil, replacements)
    }
}

extension CompiledContentFilter {
    /// The replacement text of a replace rule.
    func replacement(for ruleIndex: Int) -> String {
        switch rules[ruleIndex].action {
        case .replace(let text): text
        case .stop: ""
        }
    }
}
