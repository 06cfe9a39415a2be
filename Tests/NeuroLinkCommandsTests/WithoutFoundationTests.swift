import FoundationEssentials
import Testing

@testable import NeuroLinkCommands

/// nlctl uses FoundationEssentials only; these are the replacements for what full Foundation gave it.
@Suite struct WithoutFoundationTests {
    @Test func cFormatPrintsFixedWidthFigures() {
        #expect(String(cFormat: "%.1f MiB", 1.75) == "1.8 MiB")
        #expect(String(cFormat: "%.0f ms", 12.4) == "12 ms")
        #expect(String(cFormat: "%.1f%%", 0.5 * 100) == "50.0%")
        #expect(String(cFormat: "$%.6f", 0.000123) == "$0.000123")
        #expect(String(cFormat: "%.4g", 1234.5678) == "1235")
        #expect(String(cFormat: "%ldm%02lds", 7, 5) == "7m05s")
        #expect(
            String(cFormat: "[analytics] %.1f s · %ld tokens", 1.25, 1 << 40)
                == "[analytics] 1.2 s · 1099511627776 tokens"
        )
        #expect(String(cFormat: "chat-%012llx", UInt64(0xabc)) == "chat-000000000abc")
    }

    @Test func cFormatGrowsPastItsFirstBuffer() {
        let text = String(cFormat: "%0200ld|%.1f", 42, 2.5)
        #expect(text.count == 204)
        #expect(text.hasSuffix("0042|2.5"))
    }

    @Test func trimmingKeepsWhatTheSetDoesNotName() {
        #expect("  a b \n\t".trimmed() == "a b")
        #expect(" \t a\n \t".trimmed(while: \.isBlank) == "a\n")
        #expect("\n\nerror: x\n".trimmed(while: \.isNewline) == "error: x")
        #expect(" \n ".trimmed() == "")
        #expect("".trimmed() == "")
        #expect("  kept  "[...].trimmed() == "kept")
    }

    @Test func keysHashIsTheSHA256InLowercaseHex() {
        #expect(KeysCommand.Hash.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func timesReadAndWrittenAsISO8601() {
        #expect(AnalyticsRange.instant("2026-12-01T10:00:00Z", now: Date()) == 1_796_119_200)
        #expect(MemoryCommand.time(1_796_119_200_000) == "2026-12-01T10:00:00Z")
    }

    @Test func clockTimeOfUnrepresentableSecondsIsDashes() {
        #expect(TopView.clockTime(.nan) == "--:--:--")
        #expect(TopView.clockTime(1e300) == "--:--:--")
        let now = TopView.clockTime(1_796_119_200.7)
        #expect(now.count == 8 && now.split(separator: ":").count == 3 && now.hasSuffix(":00"))
    }

    @Test func fileErrorsSayWhatTheCLibrarySays() {
        let error = #expect(throws: (any Error).self) {
            _ = try String(contentsOfFile: "/nonexistent/nlctl-test", encoding: .utf8)
        }
        #expect(error.map(fileErrorReason) == "No such file or directory")
    }
}
