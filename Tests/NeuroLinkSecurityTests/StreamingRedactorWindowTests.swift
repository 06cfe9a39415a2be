import NeuroLinkSecurity
import Testing

@Suite("Streaming redaction hold-back")
struct StreamingRedactorWindowTests {
    @Test func heldBytesStayBelowTheLookaheadLimitOnRandomText() {
        var generator = RandomTextGenerator(seed: 0xB0B)
        var largest = 0
        for _ in 0..<300 {
            let sample = generator.sample(segments: 12)
            let streamed = streamedByteByByte(sample.text)
            #expect(streamed.text == redacted(sample.text))
            largest = max(largest, streamed.maximumHeld)
        }
        #expect(largest < StreamingRedactor.lookaheadLimit)
    }

    @Test(arguments: [
        // Long candidates that stay undecided as long as possible.
        "x@" + String(repeating: "abcdefghi.", count: 40) + "com",
        String(repeating: "a", count: 64) + "@" + String(repeating: "b", count: 63) + "."
            + String(repeating: "c", count: 60),
        "eyJ" + String(repeating: "Ab0", count: 100) + ".eyJ",
        "+1 " + String(repeating: "(1)", count: 30),
        String(repeating: "1 2 3 ", count: 60),
        String(repeating: "::", count: 200),
        "DE89 " + String(repeating: "3704 ", count: 60),
    ])
    func heldBytesStayBelowTheLookaheadLimitOnLongCandidates(_ text: String) {
        let streamed = streamedByteByByte(text)
        #expect(streamed.text == redacted(text))
        #expect(streamed.maximumHeld < StreamingRedactor.lookaheadLimit)
    }

    @Test func aLongAddressIsHeldWholeWithinTheBound() {
        // 250 bytes of one address are held until its end is seen (up to 3 bytes longer when fed a
        // byte at a time: long candidates are retried after 1/64 more input), never the 255-byte limit.
        let address =
            String(repeating: "a", count: 60) + "@" + String(repeating: "b", count: 60) + "."
            + String(repeating: "c", count: 60) + "." + String(repeating: "d", count: 63) + ".org"
        let streamed = streamedByteByByte(address + " done")
        #expect(address.utf8.count == 250)
        #expect(streamed.text == "[EMAIL-REDACTED] done")
        #expect(streamed.maximumHeld >= 250)
        #expect(streamed.maximumHeld <= 253)

        var redactor = StreamingRedactor()
        #expect(redactor.feed(address).isEmpty)
        #expect(redactor.heldByteCount == 250)
        #expect(redactor.feed(" done") == "[EMAIL-REDACTED] ")
    }

    @Test func proseIsReleasedUpToTheLastWord() {
        let tokens = [
            "The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".", " Über", " 日本語", "!",
        ]
        var redactor = StreamingRedactor()
        var fed = ""
        var released = ""
        for token in tokens {
            fed += token
            released += redactor.feed(token)
            let trailingWord = fed.unicodeScalars.reversed().prefix {
                $0.isASCII && ($0.properties.isAlphabetic || $0 == ".")
            }
            #expect(released.utf8.count + redactor.heldByteCount == fed.utf8.count)
            #expect(redactor.heldByteCount == trailingWord.count, "after \(fed.debugDescription)")
        }
        released += redactor.finish()
        #expect(released == fed)
    }

    @Test func textWithoutASCIIWordsIsNotHeld() {
        var redactor = StreamingRedactor()
        let text = "日本語のテキスト、中文，한국어 👨‍👩‍👧‍👦 — « » "
        #expect(redactor.feed(text) == text)
        #expect(redactor.heldByteCount == 0)
    }

    @Test func anIncompleteCharacterIsHeldAndNothingMore() {
        var redactor = StreamingRedactor()
        let bytes = Array("é ".utf8)
        #expect(redactor.feed(utf8: bytes[0..<1]).isEmpty)
        #expect(redactor.heldByteCount == 1)
        #expect(redactor.feed(utf8: bytes[1...]) == bytes)
        #expect(redactor.heldByteCount == 0)
    }

    @Test func openEndedMatchesAreSwallowedNotBuffered() {
        var body = ""
        for line in 0..<40 {
            body += "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2y\(line % 10)\n"
        }
        let text = "key: -----BEGIN RSA PRIVATE KEY-----\n" + body + "-----END RSA PRIVATE KEY----- after"
        var redactor = StreamingRedactor()
        var output = ""
        var largest = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            output += redactor.feed(String(line) + "\n")
            largest = max(largest, redactor.heldByteCount)
        }
        output += redactor.finish()
        #expect(text.utf8.count > 2_000)
        #expect(largest < 64)
        #expect(output == "key: [PRIVATE-KEY-REDACTED] after\n")
        #expect(redactor.counts[.privateKey] == 1)
    }

    @Test func anUnterminatedBlockIsRedactedToTheEndInBothForms() {
        let text = "-----BEGIN PRIVATE KEY-----\nMIIE\nand then the stream ends"
        #expect(redacted(text) == "[PRIVATE-KEY-REDACTED]")
        #expect(streamedByteByByte(text).text == "[PRIVATE-KEY-REDACTED]")
    }
}
