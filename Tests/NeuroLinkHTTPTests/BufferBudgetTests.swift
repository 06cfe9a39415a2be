import Testing

@testable import NeuroLinkHTTP

/// The budget's rules on their own: what is accepted, who is held back, when they are let go.
@Suite struct BufferBudgetTests {
    /// Budget of 1000 bytes, 600 per stream, resume line at 900.
    func makeBudget(limit: Int = 1000, streamLimit: Int = 600, resumeRatio: Double = 0.9) -> BufferBudget<String> {
        BufferBudget(limit: limit, streamLimit: streamLimit, resumeRatio: resumeRatio)
    }

    /// Fills `budget` with `amounts` (each stream's holding, built from pieces of at most 100
    /// bytes so the per-stream limit is not what stops them).
    func fill(_ budget: inout BufferBudget<String>, _ amounts: [(String, Int)]) {
        for (key, amount) in amounts {
            var left = amount
            while left > 0 {
                let piece = min(100, left)
                #expect(budget.admit(key, bytes: piece) == .accept, "filling \(key)")
                left -= piece
            }
        }
    }

    @Test func countsAcceptedBytesAndDrains() {
        var budget = makeBudget()
        fill(&budget, [("a", 300), ("b", 200)])
        #expect(budget.total == 500)
        #expect(budget.held == ["a": 300, "b": 200])
        budget.update("a", held: 0)
        #expect(budget.total == 200)
        #expect(budget.held["a"] == nil)
        budget.remove("b")
        #expect(budget.total == 0)
        #expect(!budget.isHoldingBack)
    }

    @Test func perStreamLimitRefusesOnlyAStreamThatHoldsBytes() {
        var budget = makeBudget()
        fill(&budget, [("a", 550)])
        #expect(budget.admit("a", bytes: 100) == .refuseStream)
        #expect(budget.total == 550, "a refused piece is not counted")
        // Into an empty buffer, even a piece larger than the stream limit is taken.
        #expect(budget.admit("b", bytes: 700) == .accept)
        #expect(budget.admit("b", bytes: 1) == .refuseStream)
    }

    @Test func overBudgetHoldsBackTheHeaviestAndLetsLightStreamsFlow() {
        var budget = makeBudget()
        fill(&budget, [("heavy", 500), ("medium", 300), ("light", 150)])  // 950
        // 950 + 100 > 1000: the piece is refused, and the heaviest stream is held back, enough
        // to cover the excess over the resume line (1050 − 900 = 150).
        #expect(budget.admit("light", bytes: 100) == .refuseBudget)
        #expect(budget.heavy == ["heavy"])
        #expect(budget.waiting == ["light"])
        #expect(budget.total == 950)
        // A piece that fits goes to a stream that is not held back...
        #expect(budget.admit("medium", bytes: 40) == .accept)
        // ...but never to the heaviest one, even though it would fit.
        budget.update("medium", held: 200)  // total 850
        #expect(budget.admit("heavy", bytes: 10) == .refuseBudget)
        #expect(budget.total == 850)
    }

    @Test func heaviestAreChosenLargestFirstUntilTheExcessIsCovered() {
        var budget = makeBudget(resumeRatio: 0.5)  // resume line 500
        fill(&budget, [("a", 300), ("b", 250), ("c", 240), ("d", 200)])  // 990
        // 990 + 20 − 500 = 510 to cover: a (300) is not enough, a + b (550) is.
        #expect(budget.admit("d", bytes: 20) == .refuseBudget)
        #expect(budget.heavy == ["a", "b"])
    }

    @Test func emptyBufferAlwaysTakesOnePieceSoAReaderIsNeverStarved() {
        var budget = makeBudget()
        fill(&budget, [("a", 500), ("b", 500)])  // full
        #expect(budget.admit("reader", bytes: 100) == .accept, "an empty buffer takes a piece over the budget")
        #expect(budget.total == 1100)
        #expect(budget.admit("reader", bytes: 100) == .refuseBudget, "but only one")
        budget.update("reader", held: 0)  // its consumer took it
        #expect(budget.admit("reader", bytes: 100) == .accept)
        #expect(budget.total == 1100, "over the budget by at most one piece for the reader")
    }

    @Test func releaseWaitsForTheResumeLineAndGoesLightestFirst() {
        var budget = makeBudget()
        fill(&budget, [("a", 500), ("b", 300), ("c", 150)])  // 950
        #expect(budget.admit("c", bytes: 100) == .refuseBudget)  // a held back, c waits
        #expect(budget.admit("b", bytes: 100) == .refuseBudget)  // 950 + 100 > 1000: b waits too
        #expect(budget.admit("a", bytes: 10) == .refuseBudget)  // a is held back
        #expect(budget.waiting == ["a", "b", "c"])
        budget.update("c", held: 100)  // 500 + 300 + 100 = 900: not under the line yet
        #expect(budget.release() == [], "hysteresis: nothing is let go at 900 of 1000")
        #expect(budget.isHoldingBack)
        budget.update("c", held: 50)  // 850
        #expect(budget.release() == ["c", "b", "a"], "lightest first")
        #expect(!budget.isHoldingBack)
        #expect(budget.heavy.isEmpty && budget.waiting.isEmpty)
        #expect(budget.admit("a", bytes: 10) == .accept, "no longer held back")
    }

    @Test func drainedHeavyStreamIsNoLongerHeavy() {
        var budget = makeBudget()
        fill(&budget, [("a", 500), ("b", 450)])
        #expect(budget.admit("b", bytes: 100) == .refuseBudget)
        #expect(budget.heavy == ["a"])
        budget.update("a", held: 0)
        #expect(budget.heavy.isEmpty)
        #expect(budget.admit("a", bytes: 100) == .accept)
    }

    @Test func aRefusedPieceDeliveredAgainIsCountedOnce() {
        // libcurl keeps the bytes of a paused write and delivers them again after the resume.
        var budget = makeBudget()
        fill(&budget, [("a", 550)])
        #expect(budget.admit("a", bytes: 100) == .refuseStream)
        #expect(budget.admit("a", bytes: 100) == .refuseStream)
        #expect(budget.total == 550)
        budget.update("a", held: 0)
        #expect(budget.admit("a", bytes: 100) == .accept)
        #expect(budget.total == 100)
    }

    @Test func removingAStreamForgetsItsMarks() {
        var budget = makeBudget()
        fill(&budget, [("a", 500), ("b", 450)])
        #expect(budget.admit("b", bytes: 100) == .refuseBudget)
        budget.remove("a")
        budget.remove("b")
        #expect(budget.total == 0)
        #expect(!budget.isHoldingBack)
        #expect(budget.release() == [])
    }

    @Test func zeroBytesAreAlwaysAccepted() {
        var budget = makeBudget()
        fill(&budget, [("a", 500), ("b", 500)])
        #expect(budget.admit("a", bytes: 0) == .accept)
        #expect(budget.total == 1000)
    }

    /// Random traffic of fast and stalled consumers: the total is always the sum of what the
    /// streams hold, and never above the budget plus one piece per stream.
    @Test func randomTrafficStaysWithinBudgetPlusOnePiecePerStream() {
        var generator = SplitMix64(seed: 0x5EED)
        let streams = (0..<12).map { "s\($0)" }
        let maxPiece = 64
        var budget = makeBudget(limit: 2000, streamLimit: 900)
        var maxTotal = 0
        var refusedBudget = 0
        for _ in 0..<20_000 {
            let index = Int(generator.next() % UInt64(streams.count))
            let key = streams[index]
            let readsFast = index < 4  // s0…s3 drain often; the others almost never
            if generator.next() % 100 < (readsFast ? 50 : 1) {
                budget.update(key, held: 0)
                _ = budget.release()
            } else {
                let piece = 1 + Int(generator.next() % UInt64(maxPiece))
                if budget.admit(key, bytes: piece) == .refuseBudget { refusedBudget += 1 }
            }
            #expect(budget.total == budget.held.values.reduce(0, +))
            maxTotal = max(maxTotal, budget.total)
        }
        #expect(refusedBudget > 0, "the budget, not only the stream limit, must have been reached")
        #expect(maxTotal <= 2000 + streams.count * maxPiece, "peak \(maxTotal)")
    }
}

/// A small deterministic generator, so a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
