import NeuroLinkSecurity
import Testing

@Suite("Streaming redaction is exact")
struct StreamingRedactorPropertyTests {
    /// 4 × 2,500 = 10,000 random texts, in parallel batches.
    static let batches: [UInt64] = [1, 2, 3, 4]
    static let textsPerBatch = 2_500

    @Test(arguments: batches)
    func streamingMatchesWholeText(batch: UInt64) {
        var generator = RandomTextGenerator(seed: 0x5EC_0000 + batch)
        let redactor = Redactor()
        for _ in 0..<Self.textsPerBatch {
            let sample = generator.sample(segments: 2 + generator.random.below(11))
            let whole = redactor.redact(sample.text)
            let expected = Array(whole.text.utf8)

            let byByteSplits = streamByteSplits(sample.text, random: &generator.random)
            #expect(byByteSplits.bytes == expected, "byte splits of \(sample.text.debugDescription)")
            #expect(byByteSplits.counts == whole.counts)
            #expect(byByteSplits.chunksAreValidUTF8)

            let byScalarSplits = streamScalarSplits(sample.text, random: &generator.random)
            #expect(Array(byScalarSplits.text.utf8) == expected, "scalar splits of \(sample.text.debugDescription)")
            #expect(byScalarSplits.counts == whole.counts)

            for secret in sample.secrets where byScalarSplits.text.contains(secret) {
                Issue.record("raw value \(secret.debugDescription) left in \(byScalarSplits.text.debugDescription)")
            }
        }
    }

    /// Feeds the text's bytes in pieces cut at random byte offsets (often inside characters).
    private func streamByteSplits(
        _ text: String,
        random: inout RedactionTestRandom
    ) -> (bytes: [UInt8], counts: RedactionCounts, chunksAreValidUTF8: Bool) {
        let bytes = Array(text.utf8)
        var redactor = StreamingRedactor()
        var output: [UInt8] = []
        var valid = true
        var start = 0
        while start < bytes.count {
            let length = random.chance(15) ? 1 : 1 + random.below(24)
            let end = min(bytes.count, start + length)
            let chunk = redactor.feed(utf8: bytes[start..<end])
            valid = valid && isValidUTF8(chunk)
            output += chunk
            start = end
        }
        let tail = redactor.finishUTF8()
        valid = valid && isValidUTF8(tail)
        output += tail
        return (output, redactor.counts, valid)
    }

    /// Feeds the text as strings cut at random Unicode scalar boundaries (inside grapheme clusters too).
    private func streamScalarSplits(
        _ text: String,
        random: inout RedactionTestRandom
    ) -> (text: String, counts: RedactionCounts) {
        let scalars = Array(text.unicodeScalars)
        var redactor = StreamingRedactor()
        var output = ""
        var start = 0
        while start < scalars.count {
            let end = min(scalars.count, start + 1 + random.below(16))
            var piece = ""
            piece.unicodeScalars.append(contentsOf: scalars[start..<end])
            output += redactor.feed(piece)
            start = end
        }
        output += redactor.finish()
        return (output, redactor.counts)
    }

    private func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes
    }
}
