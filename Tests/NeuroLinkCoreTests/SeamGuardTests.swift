import Testing

@testable import NeuroLinkCore

@Suite struct SeamGuardTests {
    private func run(delivered: String, _ pieces: [String]) -> String {
        var seam = SeamGuard(delivered: delivered)
        var out = pieces.map { seam.text($0) }.joined()
        out += seam.flush().text
        return out
    }

    @Test func aTrueContinuationPassesUnchanged() {
        #expect(run(delivered: "Hello wor", ["ld", "!"]) == "ld!")
    }

    @Test func aRestartDropsTheRepeatedPrefixWhereverThePiecesSplit() {
        let whole = "Hello world!"
        let delivered = "Hello wor"
        for split in 0...whole.count {
            let pieces = [String(whole.prefix(split)), String(whole.dropFirst(split))].filter { !$0.isEmpty }
            #expect(run(delivered: delivered, pieces) == "ld!", "split at \(split)")
        }
    }

    @Test func aContinuationThatOnlyLooksLikeTheStartIsReleasedWhole() {
        // Starts like the delivered text but diverges: nothing may be lost.
        #expect(run(delivered: "Hello wor", ["Hel", "p me"]) == "Help me")
    }

    @Test func nothingDeliveredMeansNothingHeld() {
        #expect(run(delivered: "", ["a", "b"]) == "ab")
    }
}
