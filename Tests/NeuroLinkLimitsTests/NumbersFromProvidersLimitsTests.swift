import NeuroLinkLimits
import Testing

/// Provider-reported numbers at their extremes: rate-limit headers, 429 pauses and token usage
/// reconciled into the buckets. Nothing traps; pauses are clamped to a day.
@Suite struct NumbersFromProvidersLimitsTests {
    private let time = Timeline()
    private let unixNow: Duration = .seconds(1_700_000_000)
    private let day: Duration = .seconds(86_400)

    private func report(_ headers: [(String, String)]) -> ProviderRateReport {
        ProviderRateReport(headers: headers, unixTime: unixNow)
    }

    @Test(arguments: [
        "999999999999999h", "999999999999999s", "99999999999999.999999999999999h", "2000000000", "9999999999",
    ])
    func openAIResetsBeyondADayAreClampedToADay(_ value: String) {
        let reset = report([("x-ratelimit-reset-requests", value)]).requests.resetAfter
        #expect(reset == day, "\(value)")
    }

    @Test(arguments: ["1699999940", "1000000001.5"])
    func openAIResetsInThePastAreNow(_ value: String) {
        // Unix timestamps a minute and decades ago.
        #expect(report([("x-ratelimit-reset-tokens", value)]).tokens.resetAfter == .zero, "\(value)")
    }

    @Test(arguments: ["9999-12-31T23:59:59Z", "2999-01-01T00:00:00.999999999999999999999+23:59"])
    func anthropicResetsFarAwayAreClampedToADay(_ value: String) {
        #expect(report([("anthropic-ratelimit-requests-reset", value)]).requests.resetAfter == day, "\(value)")
    }

    @Test(arguments: ["0000-01-01T00:00:00Z", "1970-01-01T00:00:00-23:59", "2023-11-14T22:13:19Z"])
    func anthropicResetsInThePastAreNow(_ value: String) {
        #expect(report([("anthropic-ratelimit-tokens-reset", value)]).tokens.resetAfter == .zero, "\(value)")
    }

    @Test(arguments: [
        "9223372036854775808", "99999999999999999999999", "-1", "-9223372036854775808", "1e30", "nan", "1.5", "",
    ])
    func countsOutsideIntOrBelowZeroAreIgnored(_ value: String) {
        let parsed = report([
            ("x-ratelimit-remaining-requests", value), ("x-ratelimit-limit-tokens", value),
            ("anthropic-ratelimit-input-tokens-remaining", value),
        ])
        #expect(parsed.isEmpty, "\(value)")
    }

    @Test func countsAboveTheLargestSafeIntegerReadAsIt() {
        let parsed = report([
            ("x-ratelimit-limit-tokens", "9223372036854775807"), ("x-ratelimit-remaining-tokens", "9007199254740992"),
            ("x-ratelimit-remaining-requests", "9007199254740991"),
        ])
        #expect(parsed.tokens.limit == 9_007_199_254_740_991)
        #expect(parsed.tokens.remaining == 9_007_199_254_740_991)
        #expect(parsed.requests.remaining == 9_007_199_254_740_991)
    }

    @Test func anAbsurdResetPausesForADayAndStatusStillConverts() async {
        let limiter = Limiter(config: RateLimitConfig())
        limiter.observe(
            headers: [
                ("x-ratelimit-limit-requests", "9223372036854775807"), ("x-ratelimit-remaining-requests", "0"),
                ("x-ratelimit-reset-requests", "999999999999999h"),
                ("x-ratelimit-limit-tokens", "9223372036854775807"),
                ("x-ratelimit-remaining-tokens", "9223372036854775806"), ("x-ratelimit-reset-tokens", "1h"),
            ],
            member: "openai",
            unixTime: unixNow,
            now: time.ms(0)
        )
        #expect(limiter.pacingDelay(member: "openai", now: time.ms(0)) == day)
        let status = await limiter.status(now: time.ms(0))
        #expect(status.members.first?.pacing == .paused(until: time.at(day)))
        let denial = await limiter.admit(
            AdmissionRequest(tenant: TenantKey("t"), member: "openai", inputCharacters: 0, maxOutputTokens: 0),
            now: time.ms(1)
        ).denial
        #expect(denial?.retryAfter == day - .milliseconds(1))
    }

    @Test func aPacedWindowNearIntMaxDoesNotTrap() {
        var pacing = MemberPacing()
        var reported = ProviderRateReport()
        reported.tokens = .init(limit: .max, remaining: .max / 20, resetAfter: .seconds(60))
        pacing.observe(reported, now: time.ms(0))
        // Far below the watermark of an Int.max limit: paced, with a tiny but positive interval.
        #expect(pacing.pacingInterval(now: time.ms(0)) >= .zero)
        pacing.recordAdmission(now: time.ms(0))
    }

    @Test(arguments: [Duration.seconds(Int64.max), .seconds(Int64(86_401)), .zero - .seconds(5)])
    func retryAfterPausesAreClamped(_ retryAfter: Duration) async {
        let limiter = Limiter(config: RateLimitConfig())
        limiter.observeRateLimited(member: "openai", retryAfter: retryAfter, now: time.ms(0))
        let delay = limiter.pacingDelay(member: "openai", now: time.ms(0))
        #expect(delay >= .zero && delay <= day, "\(retryAfter)")
    }

    @Test func tokenUsageTotalsSaturate() {
        #expect(TokenUsage(input: .max, output: .max).total == .max)
        #expect(TokenUsage(input: .min, output: -1) == .zero)
        #expect(TokenUsage(input: .max, output: 1)[.tokens] == .max)
    }

    @Test func reconcilingUsageNearIntMaxChargesDebtWithoutTrapping() async {
        let store = InMemoryLimiterStore()
        let limiter = Limiter(
            config: config { $0.tenantDefaults = ScopeLimitSettings(tokensPerMinute: 1000) },
            store: store
        )
        let request = AdmissionRequest(tenant: TenantKey("t"), member: "m", inputCharacters: 40, maxOutputTokens: 10)
        for _ in 0..<2 {
            guard var permit = await limiter.admit(request, now: time.ms(0)).permit else { break }
            await limiter.reconcile(&permit, actual: TokenUsage(input: .max - 1, output: .max), now: time.ms(0))
            await limiter.finish(permit, actual: TokenUsage(input: .max, output: .max), now: time.ms(0))
        }
        let denial = await limiter.admit(request, now: time.ms(0)).denial
        #expect(denial?.reason == .tokens)
        #expect((denial?.retryAfter ?? .zero) > .seconds(86_400), "deep in debt, but a finite wait")
        _ = await limiter.status(now: time.ms(0))
    }

    @Test func estimatesFromHugeInputsSaturate() {
        var estimator = TokenEstimator()
        estimator.charsPerToken = 0.5
        #expect(estimator.estimate(inputCharacters: .max, maxOutputTokens: .max).input == .max)
        estimator.charsPerToken = .leastNonzeroMagnitude
        #expect(estimator.estimate(inputCharacters: 10, maxOutputTokens: nil).input == .max)
        estimator.charsPerToken = .nan
        #expect(estimator.estimate(inputCharacters: 8, maxOutputTokens: nil).input == 2)
    }
}
