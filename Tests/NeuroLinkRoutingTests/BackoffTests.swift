import NeuroLinkRouting
import Testing

@Suite struct BackoffTests {
    let backoff = Backoff(base: .milliseconds(250), cap: .seconds(10))

    @Test func ceilingDoublesUpToTheCap() {
        #expect(backoff.ceiling(attempt: 0) == .milliseconds(250))
        #expect(backoff.ceiling(attempt: 1) == .milliseconds(500))
        #expect(backoff.ceiling(attempt: 5) == .milliseconds(8000))
        #expect(backoff.ceiling(attempt: 6) == .seconds(10))
        #expect(backoff.ceiling(attempt: 10_000) == .seconds(10))
        #expect(backoff.ceiling(attempt: -3) == .milliseconds(250))
    }

    @Test func fullJitterStaysWithinBoundsAndUsesTheWholeRange() {
        for attempt in 0..<8 {
            let ceiling = backoff.ceiling(attempt: attempt)
            var smallest = ceiling
            var largest = Duration.zero
            for seed in 0..<500 {
                var generator = SeededGenerator(seed: UInt64(seed))
                let delay = backoff.delay(attempt: attempt, retryAfter: nil, using: &generator)
                #expect(delay >= .zero && delay <= ceiling, "attempt \(attempt) seed \(seed): \(delay)")
                smallest = min(smallest, delay)
                largest = max(largest, delay)
            }
            // Full jitter: draws reach both ends of 0 ... ceiling, not just a band near the top.
            #expect(smallest < ceiling / 20, "attempt \(attempt)")
            #expect(largest > ceiling * 19 / 20, "attempt \(attempt)")
        }
    }

    @Test func retryAfterIsTheMinimumWait() {
        for seed in 0..<500 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let short = backoff.delay(attempt: 3, retryAfter: .seconds(1), using: &generator)
            #expect(short >= .seconds(1) && short <= backoff.ceiling(attempt: 3))
            // Longer than the cap: honoured as is, since the jitter never exceeds the cap.
            let long = backoff.delay(attempt: 3, retryAfter: .seconds(30), using: &generator)
            #expect(long == .seconds(30))
        }
    }

    @Test func sameSeedSameDelays() {
        var first = SeededGenerator(seed: 42)
        var second = SeededGenerator(seed: 42)
        let a = (0..<5).map { backoff.delay(attempt: $0, retryAfter: nil, using: &first) }
        let b = (0..<5).map { backoff.delay(attempt: $0, retryAfter: nil, using: &second) }
        #expect(a == b)
    }
}
