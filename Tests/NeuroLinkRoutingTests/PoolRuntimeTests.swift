import NeuroLinkProtocol
import NeuroLinkRouting
import Testing

@Suite struct PoolRuntimeTests {
    /// Fails `member` with `failureClass` `count` times through the full begin/record cycle.
    func fail(
        _ pool: PoolRuntime,
        _ member: Int,
        _ count: Int,
        _ failureClass: FailureClass = .server,
        retryAfter: Duration? = nil,
        now: ContinuousClock.Instant
    ) -> [BreakerTransition] {
        (0..<count).compactMap { _ in
            _ = pool.begin(member, now: now)
            return pool.recordFailure(member, failureClass, retryAfter: retryAfter, now: now)
        }
    }

    @Test func capabilityAndContextWindowSkipsAreExplained() {
        let pool = PoolRuntime(
            name: "p",
            strategy: .priority,
            members: [
                MemberSpec(provider: "a", model: "small", specializations: ["reasoning"]),
                MemberSpec(
                    provider: "b",
                    model: "tools",
                    specializations: ["function_calling", "reasoning"],
                    contextWindow: 8192
                ),
                MemberSpec(provider: "c", model: "long", contextWindow: 128_000),
            ],
            breakerPolicy: BreakerPolicy()
        )
        let tools = pool.plan(requiredCapabilities: ["function_calling"], minContextWindow: nil, now: at(0))
        #expect(tools.candidates == [1])
        #expect(
            tools.skipped == [
                RoutePlan.Skip(member: 0, reason: "lacks capability function_calling"),
                RoutePlan.Skip(member: 2, reason: "lacks capability function_calling"),
            ]
        )
        let long = pool.plan(requiredCapabilities: [], minContextWindow: 32000, now: at(0))
        #expect(long.candidates == [2])
        #expect(
            long.skipped == [
                RoutePlan.Skip(member: 0, reason: "context window unknown, required 32000"),
                RoutePlan.Skip(member: 1, reason: "context window 8192 < required 32000"),
            ]
        )
        // Nothing can serve it: no last resort for a member that lacks what the request needs.
        let none = pool.plan(requiredCapabilities: ["function_calling"], minContextWindow: 32000, now: at(0))
        #expect(none.candidates.isEmpty)
        #expect(none.lastResort == nil)
        #expect(none.skipped.count == 3)
    }

    @Test func openBreakerIsSkippedWithItsRemainingTime() throws {
        let pool = PoolRuntime(name: "p", strategy: .priority, members: members(2), breakerPolicy: BreakerPolicy())
        let transitions = fail(pool, 0, 5, now: at(0))
        #expect(transitions.count == 1)
        let plan = pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(17.7))
        #expect(plan.candidates == [1])
        // Five network-side failures in a row also trip outlier detection, which says so too.
        #expect(
            plan.skipped == [
                RoutePlan.Skip(
                    member: 0,
                    reason: "circuit open until +12.3 s; ejected by outlier detection until +12.3 s"
                )
            ]
        )
        // Begin refuses the open member while another is available.
        #expect(!pool.begin(0, now: at(17.7)))
        let status = try #require(pool.snapshot(now: at(17.7)).first)
        #expect(status.breaker == .open(until: at(30)))
        #expect(status.breakerOpenForMs == 12300)
        #expect(status.trips == 1)
        #expect(status.lastError == .server)
        #expect(status.poolMemberStatus.breaker == "open")
    }

    @Test func neverOpensTheLastMemberInService() {
        let pool = PoolRuntime(name: "p", strategy: .priority, members: members(2), breakerPolicy: BreakerPolicy())
        #expect(fail(pool, 0, 5, now: at(0)).count == 1)
        // Member 1 is now the only one in service: its failures open nothing.
        #expect(fail(pool, 1, 50, now: at(1)).isEmpty)
        #expect(fail(pool, 1, 1, .rateLimited, retryAfter: .seconds(20), now: at(1)).isEmpty)
        let plan = pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(2))
        #expect(plan.candidates == [1])
        #expect(pool.snapshot(now: at(2))[1].breaker == .closed)
        #expect(pool.snapshot(now: at(2))[1].healthy, "outlier detection must not eject it either")
    }

    @Test func poolOfOneIsNeverEjected() {
        let pool = PoolRuntime(name: "solo", strategy: .priority, members: members(1), breakerPolicy: BreakerPolicy())
        #expect(fail(pool, 0, 100, .overloaded, now: at(0)).isEmpty)
        #expect(fail(pool, 0, 1, .rateLimited, retryAfter: .seconds(60), now: at(0)).isEmpty)
        let plan = pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(0))
        #expect(plan.candidates == [0])
        #expect(plan.lastResort == nil)
        #expect(pool.begin(0, now: at(0)))
        pool.release(0)
    }

    @Test func outlierDetectionEjectsForGrowingTimesButNotTheLastMember() {
        // A breaker that cannot trip, so that only outlier detection acts.
        let pool = PoolRuntime(
            name: "p",
            strategy: .roundRobin,
            members: members(2),
            breakerPolicy: BreakerPolicy(consecutiveFailures: 1000, windowSize: 1000, minimumCalls: 1000),
            outlierPolicy: OutlierPolicy(consecutiveFailures: 5, baseEjection: .seconds(30))
        )
        // Rate limits are the provider pacing us, not a sick member.
        _ = fail(pool, 0, 10, .rateLimited, now: at(0))
        #expect(pool.snapshot(now: at(0))[0].healthy)

        _ = fail(pool, 0, 5, .network, now: at(0))
        var status = pool.snapshot(now: at(0))[0]
        #expect(!status.healthy)
        #expect(status.ejections == 1)
        #expect(status.healthDetail == "ejected by outlier detection until +30.0 s")
        #expect(pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(10)).candidates == [1])

        // Member 1 is the last in service while member 0 is out.
        _ = fail(pool, 1, 20, .server, now: at(10))
        #expect(pool.snapshot(now: at(10))[1].healthy)

        // Back after 30 s; ejected again soon after, for twice as long.
        #expect(pool.snapshot(now: at(30))[0].healthy)
        pool.recordSuccess(1, timeToFirstChunk: nil, duration: .seconds(1), outputTokens: nil, now: at(30))
        _ = fail(pool, 0, 5, .timeout, now: at(31))
        status = pool.snapshot(now: at(31))[0]
        #expect(status.ejections == 2)
        #expect(status.healthDetail == "ejected by outlier detection until +60.0 s")
    }

    @Test func everyMemberUnavailablePlansTheLeastBad() throws {
        let pool = PoolRuntime(
            name: "p",
            strategy: .priority,
            members: members(3),
            breakerPolicy: BreakerPolicy(),
            healthCheckPolicy: HealthCheckPolicy(unhealthyThreshold: 1)
        )
        _ = fail(pool, 0, 5, now: at(0))  // open until 30 s
        pool.recordProbe(1, ok: false, detail: "model listing: upstream_auth (HTTP 401)", now: at(1))
        pool.recordProbe(2, ok: false, detail: "model listing: timeout", now: at(1))
        let plan = pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(2))
        // Closed breakers beat an open one; then priority and configuration order.
        #expect(plan.candidates == [1])
        let resort = try #require(plan.lastResort)
        #expect(resort.member == 1)
        #expect(resort.reason.contains("unhealthy (1 failed health checks: model listing: upstream_auth (HTTP 401))"))
        #expect(plan.skipped.map(\.member) == [0, 2])
        #expect(pool.begin(1, now: at(2)))
        pool.release(1)
    }

    @Test func lastResortPassesAnOpenBreaker() {
        let pool = PoolRuntime(
            name: "p",
            strategy: .priority,
            members: members(2),
            breakerPolicy: BreakerPolicy(),
            healthCheckPolicy: HealthCheckPolicy(unhealthyThreshold: 1)
        )
        _ = fail(pool, 0, 5, now: at(0))
        pool.recordProbe(1, ok: false, now: at(1))
        // Member 1 is unhealthy, so member 0 (open) is no longer refused: nothing else is admissible.
        #expect(pool.begin(0, now: at(2)))
        pool.release(0)
        // And with force, always.
        pool.recordProbe(1, ok: true, now: at(3))
        #expect(pool.setHealth(1, healthy: true, detail: "manual", now: at(3)) == true)
        #expect(!pool.begin(0, now: at(3)))
        #expect(pool.begin(0, now: at(3), force: true))
        pool.release(0)
    }

    @Test func healthFlipsOnlyAfterTheThresholds() {
        let pool = PoolRuntime(
            name: "p",
            strategy: .priority,
            members: members(2),
            breakerPolicy: BreakerPolicy(),
            healthCheckPolicy: HealthCheckPolicy(unhealthyThreshold: 3, healthyThreshold: 2)
        )
        #expect(pool.recordProbe(0, ok: false, now: at(0)) == nil)
        #expect(pool.recordProbe(0, ok: false, now: at(1)) == nil)
        #expect(pool.recordProbe(0, ok: true, now: at(2)) == nil, "a pass resets the count")
        #expect(pool.recordProbe(0, ok: false, now: at(3)) == nil)
        #expect(pool.recordProbe(0, ok: false, now: at(4)) == nil)
        #expect(pool.snapshot(now: at(4))[0].healthy)
        #expect(pool.recordProbe(0, ok: false, detail: "model listing: network", now: at(5)) == false)
        #expect(pool.recordProbe(0, ok: false, now: at(6)) == nil, "already unhealthy")
        let plan = pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(6))
        #expect(plan.candidates == [1])
        #expect(
            plan.skipped == [
                RoutePlan.Skip(member: 0, reason: "unhealthy (4 failed health checks: model listing: network)")
            ]
        )
        #expect(pool.recordProbe(0, ok: true, detail: "model listing: HTTP 200", now: at(7)) == nil)
        #expect(pool.recordProbe(0, ok: true, now: at(8)) == true)
        #expect(pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(8)).candidates == [0, 1])
    }

    @Test func inFlightCountsReturnToZero() {
        let pool = PoolRuntime(name: "p", strategy: .leastInflight, members: members(3), breakerPolicy: BreakerPolicy())
        for member in 0..<3 { #expect(pool.begin(member, now: at(0))) }
        #expect(pool.begin(0, now: at(0)))
        #expect(pool.snapshot(now: at(0)).map(\.inFlight) == [2, 1, 1])
        // The busiest member goes last.
        #expect(pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(0)).candidates.last == 0)
        pool.recordSuccess(0, timeToFirstChunk: .milliseconds(200), duration: .seconds(1), outputTokens: 50, now: at(1))
        pool.recordFailure(0, .invalidRequest, retryAfter: nil, now: at(1))
        pool.recordFailure(1, .server, retryAfter: nil, now: at(1))
        pool.release(2)
        #expect(pool.snapshot(now: at(1)).map(\.inFlight) == [0, 0, 0])
        // A stray extra release never drives the count negative.
        pool.release(2)
        #expect(pool.snapshot(now: at(1))[2].inFlight == 0)
    }

    @Test func halfOpenProbeSlotsLimitTheMember() {
        let pool = PoolRuntime(
            name: "p",
            strategy: .priority,
            members: members(2),
            breakerPolicy: BreakerPolicy(halfOpenProbes: 1)
        )
        _ = fail(pool, 0, 5, now: at(0))
        #expect(pool.begin(0, now: at(30)), "the single probe")
        let plan = pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(30))
        #expect(plan.candidates == [1])
        #expect(plan.skipped == [RoutePlan.Skip(member: 0, reason: "circuit half-open, all 1 probe slots in use")])
        #expect(!pool.begin(0, now: at(30)))
        let close = pool.recordSuccess(0, timeToFirstChunk: nil, duration: .seconds(1), outputTokens: nil, now: at(31))
        #expect(close?.to == .closed)
        #expect(pool.plan(requiredCapabilities: [], minContextWindow: nil, now: at(31)).candidates == [0, 1])
    }

    @Test func leastLatencyConvergesOnTheFastestMember() {
        let pool = PoolRuntime(name: "p", strategy: .leastLatency, members: members(3), breakerPolicy: BreakerPolicy())
        let latencyMs: [Int64] = [300, 120, 200]
        var generator = SeededGenerator(seed: 7)
        var picks: [Int] = []
        for step in 0..<200 {
            let now = at(Double(step))
            guard let member = pool.plan(requiredCapabilities: [], minContextWindow: nil, now: now).candidates.first,
                pool.begin(member, now: now)
            else {
                Issue.record("no member at step \(step)")
                return
            }
            // ±40 ms of noise around each member's true latency.
            let noise = Int64.random(in: -40...40, using: &generator)
            pool.recordSuccess(
                member,
                timeToFirstChunk: .milliseconds(latencyMs[member] + noise),
                duration: .seconds(2),
                outputTokens: 100,
                now: now
            )
            picks.append(member)
        }
        #expect(Set(picks.prefix(3)) == [0, 1, 2], "every member is measured first")
        #expect(picks.suffix(100).allSatisfy { $0 == 1 })
        let fastest = pool.snapshot(now: at(200))[1]
        #expect(abs((fastest.ewmaLatencyMs ?? 0) - 120) < 40)
    }

    @Test func snapshotCarriesTheStatistics() throws {
        let pool = PoolRuntime(
            name: "p",
            strategy: .priority,
            members: [MemberSpec(provider: "openai", model: "gpt")],
            breakerPolicy: BreakerPolicy(),
            statsSettings: StatsSettings(latencyAlpha: 0.3)
        )
        #expect(pool.begin(0, now: at(0)))
        pool.recordSuccess(
            0,
            timeToFirstChunk: .milliseconds(200),
            duration: .milliseconds(1200),
            outputTokens: 100,
            now: at(1)
        )
        #expect(pool.begin(0, now: at(1)))
        pool.recordFailure(0, .overloaded, retryAfter: nil, now: at(2))
        let status = try #require(pool.snapshot(now: at(5)).first)
        #expect(status.label == "openai/gpt")
        #expect(status.ewmaLatencyMs == 200)
        #expect(status.throughputTps == 100)
        #expect(status.errorRatePct == 50)
        #expect(status.lastError == .overloaded)
        #expect(status.lastErrorAgoMs == 3000)
        #expect(status.requests == 2 && status.failures == 1)
        let wire = status.poolMemberStatus
        #expect(wire.member == "openai/gpt" && wire.breaker == "closed" && wire.lastError == "overloaded")
    }
}
