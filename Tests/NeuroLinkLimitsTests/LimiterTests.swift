import NeuroLinkLimits
import Testing

@Suite struct LimiterTests {
    private let time = Timeline()
    private let alice = TenantKey("alice")
    private let bob = TenantKey("bob")

    private func request(
        _ tenant: TenantKey,
        _ member: String = "openai",
        chars: Int = 0,
        maxTokens: Int? = 0
    )
        -> AdmissionRequest
    {
        AdmissionRequest(tenant: tenant, member: member, inputCharacters: chars, maxOutputTokens: maxTokens)
    }

    @Test func oneDenyingScopeChargesNoOtherScope() async {
        let store = InMemoryLimiterStore()
        let limiter = Limiter(
            config: config {
                $0.global = ScopeLimitSettings(requestRate: .limit(.perSecond(100)), burst: 99)
                $0.memberDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(100)), burst: 99)
                $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 0)
            },
            store: store
        )
        #expect(await limiter.admit(request(alice), now: time.ms(0)).permit != nil)
        let denial = await limiter.admit(request(alice), now: time.ms(0)).denial
        #expect(denial == LimitDenial(scope: .tenant(alice), reason: .requests, retryAfter: .seconds(1)))
        let global = RateLimit(rate: .perSecond(100), burst: 99)
        // Only the admitted request is charged, at global and at member level.
        #expect(
            store.peek(key: LimiterKey(.global, .requests), limit: global, cost: 0, now: time.ms(0)).remaining == 99
        )
        #expect(
            store.peek(key: LimiterKey(.member("openai"), .requests), limit: global, cost: 0, now: time.ms(0)).remaining
                == 99
        )
        // Bob is not held back by Alice's limit.
        #expect(await limiter.admit(request(bob), now: time.ms(0)).permit != nil)
    }

    @Test func theDenialNamesTheScopeWithTheLongestWait() async {
        let limiter = Limiter(
            config: config {
                $0.memberDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 0)
                $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perMinute(1)), burst: 0)
            }
        )
        _ = await limiter.admit(request(alice), now: time.ms(0))
        let denial = await limiter.admit(request(alice), now: time.ms(0)).denial
        #expect(denial?.scope == .tenant(alice))
        #expect(denial?.retryAfter == .seconds(60))
    }

    @Test func aBurstOf1000AgainstTheGlobalLimitAdmitsTheTheoreticalCount() async {
        let limiter = Limiter(
            config: config {
                $0.global = ScopeLimitSettings(requestRate: .limit(.perSecond(50)), burst: 10)
            }
        )
        var admitted = 0
        for index in 0..<1000 {
            if let permit = await limiter.admit(
                request(index.isMultiple(of: 2) ? alice : bob),
                now: time.ms(index * 10)
            ).permit {
                admitted += 1
                await limiter.finish(permit, actual: nil, now: time.ms(index * 10))
            }
        }
        #expect(admitted == 510)
    }

    @Test func tokensAreAdmittedOnAnEstimateAndReconciledWithTheActualUsage() async {
        let store = InMemoryLimiterStore()
        let limiter = Limiter(
            config: config {
                $0.tenantDefaults = ScopeLimitSettings(tokensPerMinute: 1000)
            },
            store: store
        )
        let bucket = LimiterKey(.tenant(alice), .tokens)
        let limit = RateLimit.tokensPerMinute(1000)
        func left(_ ms: Int) -> Int { store.peek(key: bucket, limit: limit, cost: 0, now: time.ms(ms)).remaining }

        // 400 characters at 4 per token = 100 input tokens, plus maxTokens 300.
        let first = await limiter.admit(request(alice, chars: 400, maxTokens: 300), now: time.ms(0)).permit
        #expect(first?.tokens == TokenUsage(input: 100, output: 300))
        #expect(left(0) == 600)
        // The answer was short: 250 tokens come back.
        if let first { await limiter.finish(first, actual: TokenUsage(input: 100, output: 50), now: time.ms(0)) }
        #expect(left(0) == 850)

        // An underestimate is charged afterwards, and may run the bucket into debt.
        let second = await limiter.admit(request(alice, chars: 40, maxTokens: 10), now: time.ms(0)).permit
        #expect(left(0) == 830)
        if var second {
            await limiter.reconcile(&second, actual: TokenUsage(input: 10, output: 500), now: time.ms(0))
            #expect(left(0) == 340)
            // Reconciling again charges only the difference.
            await limiter.reconcile(&second, actual: TokenUsage(input: 10, output: 900), now: time.ms(0))
            #expect(left(0) == 0)
            await limiter.finish(second, actual: nil, now: time.ms(0))
        }
        let denial = await limiter.admit(request(alice, chars: 400, maxTokens: 0), now: time.ms(0)).denial
        #expect(denial?.reason == .tokens)
        // 60 tokens of debt plus 100 needed, at 1000 per minute: 160 × 60 ms.
        #expect(denial?.retryAfter == .milliseconds(9600))
    }

    @Test func anEstimateLargerThanTheWholeBudgetWaitsForAFullBucketInsteadOfFailingForever() async {
        let limiter = Limiter(config: config { $0.tenantDefaults = ScopeLimitSettings(outputTokensPerMinute: 100) })
        let permit = await limiter.admit(request(alice, maxTokens: 5000), now: time.ms(0)).permit
        #expect(permit?.tokens.output == 5000)
        let next = await limiter.admit(request(alice, maxTokens: 5000), now: time.ms(0)).denial
        #expect(next?.retryAfter == .seconds(60))
    }

    @Test func concurrencySlotsAreTakenAndReleased() async {
        let limiter = Limiter(config: config { $0.tenantDefaults = ScopeLimitSettings(maxInFlight: 2) })
        let first = await limiter.admit(request(alice), now: time.ms(0)).permit
        let second = await limiter.admit(request(alice), now: time.ms(0)).permit
        let third = await limiter.admit(request(alice), now: time.ms(0)).denial
        #expect(first != nil && second != nil)
        #expect(third == LimitDenial(scope: .tenant(alice), reason: .concurrency, retryAfter: nil))
        #expect(await limiter.admit(request(bob), now: time.ms(0)).permit != nil)
        if let first {
            #expect(limiter.release(first))
            // A second release of the same permit frees nothing more.
            #expect(!limiter.release(first))
        }
        #expect(await limiter.admit(request(alice), now: time.ms(0)).permit != nil)
        #expect(await limiter.admit(request(alice), now: time.ms(0)).denial?.reason == .concurrency)
    }

    @Test func aCancelledAdmissionGivesEverythingBack() async {
        let limiter = Limiter(
            config: config {
                $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perMinute(1)), burst: 0, maxInFlight: 1)
            }
        )
        let permit = await limiter.admit(request(alice), now: time.ms(0)).permit
        #expect(await limiter.admit(request(alice), now: time.ms(0)).permit == nil)
        if let permit { await limiter.cancel(permit, now: time.ms(0)) }
        #expect(await limiter.admit(request(alice), now: time.ms(0)).permit != nil)
    }

    @Test func aProviderReportingNothingLeftPausesItsMemberUntilTheReset() async {
        let limiter = Limiter(config: RateLimitConfig())
        limiter.observe(
            headers: [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "2s")],
            member: "openai",
            unixTime: .seconds(1_700_000_000),
            now: time.ms(0)
        )
        let denial = await limiter.admit(request(alice, "openai"), now: time.ms(500)).denial
        #expect(
            denial == LimitDenial(scope: .member("openai"), reason: .providerPaused, retryAfter: .milliseconds(1500))
        )
        #expect(limiter.pacingDelay(member: "openai", now: time.ms(500)) == .milliseconds(1500))
        // Other members are unaffected; the member itself opens at the reset.
        #expect(await limiter.admit(request(alice, "anthropic"), now: time.ms(500)).permit != nil)
        #expect(await limiter.admit(request(alice, "openai"), now: time.ms(2000)).permit != nil)
    }

    @Test func a429PausesTheMemberForExactlyItsRetryAfter() async {
        let limiter = Limiter(config: RateLimitConfig())
        limiter.observeRateLimited(member: "openai", retryAfter: .seconds(3), now: time.ms(0))
        #expect(await limiter.admit(request(alice), now: time.ms(2999)).denial?.retryAfter == .milliseconds(1))
        #expect(await limiter.admit(request(alice), now: time.ms(3000)).permit != nil)
    }

    @Test func anAdaptiveMemberIsHeldToItsCurrentLimit() async {
        var adaptive = AdaptiveSettings.Overrides(enabled: true, targetResponseTime: .milliseconds(500))
        adaptive.minLimit = 1
        adaptive.maxLimit = 8
        adaptive.initialLimit = 2
        let limiter = Limiter(config: config { $0.members["slow"] = MemberLimitSettings(adaptive: adaptive) })
        #expect(limiter.adaptiveLimit(member: "slow") == 2)
        #expect(limiter.adaptiveLimit(member: "other") == nil)
        let first = await limiter.admit(request(alice, "slow"), now: time.ms(0)).permit
        let second = await limiter.admit(request(bob, "slow"), now: time.ms(0)).permit
        #expect(await limiter.admit(request(alice, "slow"), now: time.ms(0)).denial?.scope == .member("slow"))
        // Fast answers while the limit is in use raise it.
        if let first, let second {
            limiter.recordResponse(first, responseTime: .milliseconds(100))
            limiter.recordResponse(second, responseTime: .milliseconds(100))
        }
        #expect(limiter.adaptiveLimit(member: "slow") == 4)
        #expect(await limiter.admit(request(alice, "slow"), now: time.ms(0)).permit != nil)
        limiter.recordOverload(member: "slow")
        #expect(limiter.adaptiveLimit(member: "slow") == 3)
    }

    @Test func statusShowsCountsRemainingAndRates() async {
        let limiter = Limiter(
            config: config {
                $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(2)), burst: 1, maxInFlight: 5)
            }
        )
        for _ in 0..<3 { _ = await limiter.admit(request(alice), now: time.ms(0)) }
        let status = await limiter.status(now: time.ms(0))
        let tenant = status.scopes.first { $0.scope == .tenant(alice) }
        #expect(tenant?.admitted == 2)
        #expect(tenant?.inFlight == 2)
        #expect(tenant?.maxInFlight == 5)
        #expect(tenant?.rejections == [.requests: 1])
        #expect(tenant?.remaining == [.requests: 0])
        #expect(tenant?.capacity == [.requests: 2])
        #expect(tenant?.currentRate == 0.2)
        #expect(
            status.scopes.map(\.scope.description)
                == ["global", "member:openai", "tenant:alice", "tenant:alice/member:openai"]
        )
    }

    @Test func aReloadKeepsTheBucketsOfUnchangedLimitsAndResetsChangedOnes() async {
        let before = config {
            $0.global = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 0)
            $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 0)
        }
        let limiter = Limiter(config: before)
        _ = await limiter.admit(request(alice), now: time.ms(0))
        // The tenants' limit changes (burst 0 → 1); the global one does not.
        await limiter.update(
            config: config {
                $0.global = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 0)
                $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 1)
            }
        )
        // The global bucket kept its charge: still full until a second has passed.
        #expect(await limiter.admit(request(alice), now: time.ms(0)).permit == nil)
        #expect(await limiter.admit(request(alice), now: time.ms(1000)).permit != nil)

        // Only the tenant limit now: its bucket started afresh, with the new burst.
        let tenantOnly = Limiter(
            config: config { $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 0) }
        )
        _ = await tenantOnly.admit(request(alice), now: time.ms(0))
        await tenantOnly.update(
            config: config { $0.tenantDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(1)), burst: 1) }
        )
        #expect(await tenantOnly.admit(request(alice), now: time.ms(0)).permit != nil)
        #expect(await tenantOnly.admit(request(alice), now: time.ms(0)).permit != nil)
        #expect(await tenantOnly.admit(request(alice), now: time.ms(0)).permit == nil)
    }
}
