import NeuroLinkProtocol
import NeuroLinkRouting
import Testing

@Suite struct CircuitBreakerTests {
    @Test func consecutiveFailuresOpenThenHalfOpenThenClose() throws {
        let box = BreakerBox()
        for call in 1...4 {
            #expect(box.acquire(at(0)))
            #expect(box.fail(at(0)) == nil, "call \(call)")
        }
        #expect(box.state(at(0)) == .closed)
        let trip = try #require(box.fail(.timeout, at(0)))
        #expect(trip.from == .closed)
        #expect(trip.to == .open(until: at(30)))
        #expect(trip.reason.contains("5 consecutive failures"))
        #expect(box.breaker.trips == 1)

        // Open: refused until the cool-down ends, then half-open.
        #expect(!box.acquire(at(29.999)))
        #expect(box.state(at(29.999)) == .open(until: at(30)))
        #expect(box.state(at(30)) == .halfOpen)

        // Half-open: three probe slots.
        #expect(box.acquire(at(30)))
        #expect(box.acquire(at(30)))
        #expect(box.acquire(at(30)))
        #expect(!box.acquire(at(30)))
        #expect(box.succeed(at(31)) == nil)
        #expect(box.succeed(at(31)) == nil)
        let close = try #require(box.succeed(at(31)))
        #expect(close.from == .halfOpen)
        #expect(close.to == .closed)
        #expect(box.state(at(31)) == .closed)
        #expect(box.acquire(at(31)))
    }

    @Test func failureRateOverTheWindowOpens() throws {
        // Consecutive failures never reach 100, so only the rate can trip it.
        let box = BreakerBox(
            BreakerPolicy(
                consecutiveFailures: 100,
                failureRateThreshold: 0.5,
                windowSize: 20,
                minimumCalls: 10
            )
        )
        for call in 1...9 {
            let transition = call.isMultiple(of: 2) ? box.fail(.overloaded, at(0)) : box.succeed(at(0))
            #expect(transition == nil, "call \(call): fewer than minimumCalls must not trip")
        }
        let trip = try #require(box.fail(.overloaded, at(1)))
        #expect(trip.reason.contains("failure rate 50%"))
        #expect(box.state(at(1)) == .open(until: at(31)))
    }

    @Test func failureRateBelowThresholdStaysClosed() {
        let box = BreakerBox(
            BreakerPolicy(
                consecutiveFailures: 100,
                failureRateThreshold: 0.5,
                windowSize: 20,
                minimumCalls: 10
            )
        )
        for call in 1...200 {
            // One failure in three: 33%.
            let transition = call.isMultiple(of: 3) ? box.fail(at(0)) : box.succeed(at(0))
            #expect(transition == nil)
        }
        #expect(box.state(at(0)) == .closed)
    }

    @Test func halfOpenFailureReopensWithLongerCoolDownUpToTheCap() throws {
        let box = BreakerBox(BreakerPolicy(consecutiveFailures: 1))
        var now = 0.0
        _ = box.fail(at(now))
        var expected = [30.0, 60, 120, 240, 300, 300]
        var coolDown = expected.removeFirst()
        #expect(box.state(at(now)) == .open(until: at(now + coolDown)))
        for next in expected {
            now += coolDown
            #expect(box.acquire(at(now)), "half-open after \(coolDown) s")
            let reopen = try #require(box.fail(.network, at(now)))
            #expect(reopen.from == .halfOpen)
            #expect(reopen.to == .open(until: at(now + next)))
            coolDown = next
        }
        #expect(box.breaker.trips == 6)

        // A full recovery resets the growth: the next trip is back to the base cool-down.
        now += coolDown
        for _ in 0..<3 { #expect(box.acquire(at(now))) }
        for _ in 0..<3 { _ = box.succeed(at(now)) }
        #expect(box.state(at(now)) == .closed)
        _ = box.fail(at(now))
        #expect(box.state(at(now)) == .open(until: at(now + 30)))
    }

    @Test func rateLimitWithRetryAfterOpensForExactlyThatLong() throws {
        let box = BreakerBox()
        let trip = try #require(box.fail(.rateLimited, retryAfter: .milliseconds(7500), at(10)))
        #expect(trip.to == .open(until: at(17.5)))
        #expect(!box.acquire(at(17.499)))
        #expect(box.acquire(at(17.5)))
        // A retry-after is no evidence of a lasting outage: the next ordinary trip is not lengthened.
        _ = box.succeed(at(17.5))
        _ = box.succeed(at(17.5))
        _ = box.succeed(at(17.5))
        for _ in 0..<5 { _ = box.fail(at(18)) }
        #expect(box.state(at(18)) == .open(until: at(48)))
    }

    @Test func rateLimitWithoutRetryAfterCountsLikeAnyFailure() {
        let box = BreakerBox()
        #expect(box.fail(.rateLimited, at(0)) == nil)
        #expect(box.state(at(0)) == .closed)
        #expect(box.breaker.consecutiveFailures == 1)
    }

    @Test func mayOpenFalseRecordsButNeverOpens() {
        let box = BreakerBox()
        for _ in 0..<50 {
            #expect(box.fail(mayOpen: false, at(0)) == nil)
        }
        #expect(box.fail(.rateLimited, retryAfter: .seconds(5), mayOpen: false, at(0)) == nil)
        #expect(box.state(at(0)) == .closed)
        #expect(box.breaker.trips == 0)
        // The failures were counted: as soon as opening is allowed, the next one trips it.
        #expect(box.fail(at(1)) != nil)
    }

    @Test(arguments: [FailureClass.auth, .invalidRequest, .contextLength, .contentFilter, .quotaExhausted])
    func nonTransientClassesDoNotCount(_ failureClass: FailureClass) {
        let box = BreakerBox(BreakerPolicy(consecutiveFailures: 2, minimumCalls: 2))
        for _ in 0..<100 {
            #expect(box.fail(failureClass, retryAfter: .seconds(5), at(0)) == nil)
        }
        #expect(box.state(at(0)) == .closed)
        #expect(box.breaker.consecutiveFailures == 0)
    }

    @Test func successResetsTheConsecutiveCount() {
        let box = BreakerBox(BreakerPolicy(consecutiveFailures: 5, minimumCalls: 20))
        for _ in 0..<4 { _ = box.fail(at(0)) }
        _ = box.succeed(at(0))
        for _ in 0..<4 { _ = box.fail(at(0)) }
        #expect(box.state(at(0)) == .closed)
    }

    @Test func abandonedProbeGivesItsSlotBack() {
        let box = BreakerBox(BreakerPolicy(consecutiveFailures: 1, halfOpenProbes: 1))
        _ = box.fail(at(0))
        #expect(box.acquire(at(30)))
        #expect(!box.acquire(at(30)))
        box.breaker.abandon()
        #expect(box.acquire(at(30)))
    }
}
