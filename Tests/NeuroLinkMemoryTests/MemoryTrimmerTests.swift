import NeuroLinkMemory
import Testing

/// The trimmer keeps the newest whole turns within a token budget.
@Suite struct MemoryTrimmerTests {
    /// Eight bytes each: 2 tokens of text plus 4 of overhead, so 6 a message and 12 a turn.
    private func fixedTurn(_ n: Int) -> [MemoryMessage] {
        [user("question"), assistant("answer-\(n)")]
    }

    @Test func estimatesOneTokenPerFourBytesRoundedUp() {
        #expect(MemoryTrimmer.estimateTokens("") == 0)
        #expect(MemoryTrimmer.estimateTokens("abc") == 1)
        #expect(MemoryTrimmer.estimateTokens("abcd") == 1)
        #expect(MemoryTrimmer.estimateTokens("abcde") == 2)
        #expect(MemoryTrimmer.estimateTokens("é🦊") == 2)
    }

    @Test func keepsTheNewestWholeTurns() {
        let history = fixedTurn(1) + fixedTurn(2) + fixedTurn(3)
        #expect(MemoryTrimmer.trim(history, maxTokens: 100, reservedTokens: 0) == history)
        // 36 tokens fit all three turns exactly; 35 to 24 fit two; 23 to 12 fit one.
        #expect(MemoryTrimmer.trim(history, maxTokens: 100, reservedTokens: 64) == history)
        #expect(MemoryTrimmer.trim(history, maxTokens: 100, reservedTokens: 65) == fixedTurn(2) + fixedTurn(3))
        #expect(MemoryTrimmer.trim(history, maxTokens: 100, reservedTokens: 76) == fixedTurn(2) + fixedTurn(3))
        #expect(MemoryTrimmer.trim(history, maxTokens: 100, reservedTokens: 77) == fixedTurn(3))
        #expect(MemoryTrimmer.trim(history, maxTokens: 100, reservedTokens: 88) == fixedTurn(3))
    }

    @Test func neverStartsWithAnAssistantMessage() {
        let long = [user("question"), assistant("answer-2"), assistant("answer-3")]
        let history = fixedTurn(1) + long
        // 24 tokens would fit `answer-1` and the last turn, but not its question.
        #expect(MemoryTrimmer.trim(history, maxTokens: 24, reservedTokens: 0) == long)
        let orphan = [assistant("answer-0")] + fixedTurn(1)
        #expect(MemoryTrimmer.trim(orphan, maxTokens: 1_000, reservedTokens: 0) == fixedTurn(1))
    }

    @Test func returnsNothingWhenTheNewestTurnDoesNotFit() {
        let history = fixedTurn(1) + fixedTurn(2)
        #expect(MemoryTrimmer.trim(history, maxTokens: 11, reservedTokens: 0) == [])
        #expect(MemoryTrimmer.trim(history, maxTokens: 100, reservedTokens: 89) == [])
        #expect(MemoryTrimmer.trim(history, maxTokens: 10, reservedTokens: 100) == [])
        #expect(MemoryTrimmer.trim(history, maxTokens: -5, reservedTokens: .min) == [])
        #expect(MemoryTrimmer.trim([], maxTokens: 100, reservedTokens: 0) == [])
    }

    @Test func extremeBudgetsDoNotOverflow() {
        let history = fixedTurn(1)
        #expect(MemoryTrimmer.trim(history, maxTokens: .max, reservedTokens: .min) == history)
        #expect(MemoryTrimmer.trim(history, maxTokens: .max, reservedTokens: .max) == [])
    }
}
