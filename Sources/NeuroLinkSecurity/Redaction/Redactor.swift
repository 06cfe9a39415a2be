/// Redacts personal data and secrets in a whole text: the reference semantics that
/// ``StreamingRedactor`` reproduces exactly for any chunking.
///
/// The scan works on UTF-8 bytes, left to right. At each position where some detector can start
/// (see the boundary rules in each ``PIIKind``'s detector), the enabled detectors run:
/// 1. An open-ended match (private key block, JWT, OpenAI/Anthropic/GitHub token) wins as soon as
///    its fixed-length prefix is proven, first in ``PIIKind`` declaration order. Its end is then
///    found by a byte-at-a-time continuation (the rest of the key, the rest of the token, the END
///    line of the block, or the end of the text for an unterminated block).
/// 2. Otherwise the longest fixed-length match wins; equally long matches go to the kind declared
///    first in ``PIIKind``.
///
/// A match is replaced by its kind's replacement text and the scan resumes after it; elsewhere the
/// byte is copied and the scan moves one byte on. Detectors look at most
/// ``StreamingRedactor/lookaheadLimit`` bytes ahead of the position and two bytes behind it
/// (the original text, even inside an earlier match). All patterns are ASCII, so a match never
/// starts or ends inside a multi-byte character and other scripts pass through unchanged.
public struct Redactor: Sendable {
    private let detectors: PIIDetectorSet

    /// Creates a redactor for `rules`.
    public init(rules: RedactionRules = .default) {
        detectors = PIIDetectorSet(rules: CompiledRedactionRules(rules))
    }

    /// The redacted text and how many matches of each kind were replaced.
    public func redact(_ text: String) -> (text: String, counts: RedactionCounts) {
        let result = redact(utf8: text.utf8)
        return (String(decoding: result.bytes, as: UTF8.self), result.counts)
    }

    /// The redacted bytes and the counts. Bytes that are not valid UTF-8 are copied unchanged.
    public func redact(utf8 text: some Collection<UInt8>) -> (bytes: [UInt8], counts: RedactionCounts) {
        let input = Array(text)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var counts = RedactionCounts()
        input.withUnsafeBufferPointer { bytes in
            scan(bytes, into: &output, counts: &counts)
        }
        return (output, counts)
    }

    private func scan(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8], counts: inout RedactionCounts) {
        var position = 0
        var copiedUpTo = 0
        while position < bytes.count {
            let previous = position > 0 ? bytes[position - 1] : nil
            guard PIIDetectorSet.mayStart(bytes[position], after: previous) else {
                position += 1
                continue
            }
            let window = PIIScanWindow(bytes: bytes, start: position, availableEnd: bytes.count, isFinal: true)
            // A final window never asks for more input, so `try?` only flattens the signature.
            guard let found = (try? detectors.match(in: window)) ?? nil else {
                position += 1
                continue
            }
            output.append(contentsOf: bytes[copiedUpTo..<position])
            output.append(contentsOf: detectors.rules.replacement(for: found.kind))
            counts.record(found.kind)
            position += found.length
            if var continuation = found.continuation {
                position = continuation.end(in: bytes, from: position)
            }
            copiedUpTo = position
        }
        output.append(contentsOf: bytes[copiedUpTo..<bytes.count])
    }
}
