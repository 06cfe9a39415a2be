import NeuroLinkLimits
import Testing

@Suite struct ProviderHeaderTests {
    private let time = Timeline()

    @Test(arguments: [
        ("1s", Duration.seconds(1)), ("6m0s", .seconds(360)), ("20ms", .milliseconds(20)),
        ("1.5s", .milliseconds(1500)),
        ("1h2m3.5s", .milliseconds(3_723_500)), ("250us", .microseconds(250)), ("250µs", .microseconds(250)),
        ("10ns", .nanoseconds(10)), ("0", .zero), ("2", .seconds(2)), ("0.25", .milliseconds(250)),
        (" 59s ", .seconds(59)),
        ("2m59.56s", .milliseconds(179_560)),
    ])
    func goDurationsParse(text: String, expected: Duration) {
        #expect(ProviderDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "s", "1x", "-1s", "1s2", "1.s.", "abc", "9999999999999999h", "1 s"])
    func malformedDurationsAreRejected(text: String) {
        #expect(ProviderDuration.parse(text) == nil)
    }

    @Test func rfc3339TimestampsParseToUnixTime() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == .zero)
        #expect(RFC3339.parse("2025-01-31T12:00:30Z") == .seconds(1_738_324_830))
        #expect(RFC3339.parse("2025-01-31T13:00:30+01:00") == .seconds(1_738_324_830))
        #expect(RFC3339.parse("2025-01-31t07:00:30.25-05:00") == .seconds(1_738_324_830) + .milliseconds(250))
        #expect(RFC3339.parse("2024-02-29T23:59:59Z") == .seconds(1_709_251_199))
        for bad in [
            "2025-02-30T00:00:00Z", "2025-01-31T12:00:30", "2025-01-31T24:00:00Z", "2025-1-31T12:00:30Z",
            "2025-01-31T12:00:30.Z", "2025-01-31T12:00:30Zjunk", "",
        ] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func openAIHeadersFillTheRequestAndTokenWindows() {
        let report = ProviderRateReport(
            headers: [
                ("X-RateLimit-Limit-Requests", "500"), ("x-ratelimit-remaining-requests", "499"),
                ("x-ratelimit-reset-requests", "120ms"), ("x-ratelimit-limit-tokens", "30000"),
                ("x-ratelimit-remaining-tokens", "29000"), ("x-ratelimit-reset-tokens", "2s"),
                ("content-type", "text/event-stream"), ("x-request-id", "req_1"),
            ],
            unixTime: .seconds(1_700_000_000)
        )
        #expect(report.requests == .init(limit: 500, remaining: 499, resetAfter: .milliseconds(120)))
        #expect(report.tokens == .init(limit: 30000, remaining: 29000, resetAfter: .seconds(2)))
        #expect(report.inputTokens.isEmpty)
    }

    @Test func anthropicHeadersUseRFC3339ResetTimes() {
        let now = Duration.seconds(1_738_324_800)
        let report = ProviderRateReport(
            headers: [
                ("anthropic-ratelimit-requests-limit", "50"), ("anthropic-ratelimit-requests-remaining", "0"),
                ("anthropic-ratelimit-requests-reset", "2025-01-31T12:00:30Z"),
                ("anthropic-ratelimit-input-tokens-remaining", "1200"),
                ("anthropic-ratelimit-output-tokens-reset", "2025-01-31T11:59:00Z"),
                ("anthropic-ratelimit-tokens-remaining", "not a number"),
            ],
            unixTime: now
        )
        #expect(report.requests == .init(limit: 50, remaining: 0, resetAfter: .seconds(30)))
        #expect(report.inputTokens.remaining == 1200)
        // A reset already in the past means "now".
        #expect(report.outputTokens.resetAfter == .zero)
        #expect(report.tokens.isEmpty)
    }

    /// Found by fuzzing (`fuzz-headers`): a reset of 10¹⁵ hours paused the member for longer than
    /// any millisecond count holds, and the daemon trapped converting the wait for `rate_limited`
    /// errors and `nlctl limits`.
    @Test(arguments: [
        "999999999999999h", String(repeating: "999999999999999h", count: 40), "99999999999", "2000000000",
    ])
    func aFarResetIsClampedToOneDay(value: String) {
        let report = ProviderRateReport(
            headers: [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", value)],
            unixTime: .seconds(1_767_225_600)
        )
        #expect(report.requests.resetAfter == ProviderRateReport.resetRange.upperBound)
        var pacing = MemberPacing()
        pacing.observe(report, now: time.ms(0))
        #expect(pacing.delay(now: time.ms(0)) == .seconds(86_400))
        let anthropic = ProviderRateReport(
            headers: [("anthropic-ratelimit-tokens-reset", "9999-12-31T23:59:59Z")],
            unixTime: .seconds(1_767_225_600)
        )
        #expect(anthropic.tokens.resetAfter == .seconds(86_400))
    }

    @Test func nothingLeftPausesAdmissionUntilTheReset() {
        var pacing = MemberPacing()
        var report = ProviderRateReport()
        report.tokens = .init(limit: 40000, remaining: 0, resetAfter: ProviderDuration.parse("6m0s"))
        pacing.observe(report, now: time.ms(0))
        #expect(pacing.delay(now: time.ms(0)) == .seconds(360))
        #expect(pacing.state(now: time.ms(1000)) == .paused(until: time.ms(360_000)))
        #expect(pacing.delay(now: time.ms(359_999)) == .milliseconds(1))
        #expect(pacing.delay(now: time.ms(360_000)) == .zero)
        #expect(pacing.state(now: time.ms(360_000)) == .open)
    }

    @Test func aLowWindowSpreadsWhatIsLeftOverTheTimeToItsReset() {
        var pacing = MemberPacing()
        var report = ProviderRateReport()
        report.requests = .init(limit: 100, remaining: 5, resetAfter: .seconds(10))
        pacing.observe(report, now: time.ms(0))
        #expect(pacing.state(now: time.ms(0)) == .paced(interval: .seconds(2)))
        #expect(pacing.delay(now: time.ms(0)) == .zero)
        pacing.recordAdmission(now: time.ms(0))
        #expect(pacing.delay(now: time.ms(500)) == .milliseconds(1500))
        pacing.recordAdmission(now: time.ms(2000))
        #expect(pacing.delay(now: time.ms(2000)) == .seconds(2))
        // Five admissions use the window up: the sixth waits for the reset.
        for at in [4000, 6000, 8000] { pacing.recordAdmission(now: time.ms(at)) }
        #expect(pacing.windows[.requests]?.remaining == 0)
        #expect(pacing.state(now: time.ms(8500)) == .paused(until: time.ms(10_000)))
        // Plenty left: no pacing at all.
        var relaxed = MemberPacing()
        report.requests = .init(limit: 100, remaining: 50, resetAfter: .seconds(10))
        relaxed.observe(report, now: time.ms(0))
        relaxed.recordAdmission(now: time.ms(0))
        #expect(relaxed.delay(now: time.ms(0)) == .zero)
    }

    @Test func aLowTokenWindowPacesByTheTokensRequestsUse() {
        var pacing = MemberPacing()
        var report = ProviderRateReport()
        report.tokens = .init(limit: 100_000, remaining: 9000, resetAfter: .seconds(60))
        pacing.observe(report, now: time.ms(0))
        report.tokens = .init(limit: 100_000, remaining: 6000, resetAfter: .seconds(59))
        pacing.observe(report, now: time.ms(1000))
        // 3000 tokens per request, 6000 left: two requests over the 59 s left.
        #expect(pacing.tokensPerRequest == 3000)
        #expect(pacing.pacingInterval(now: time.ms(1000)) == .milliseconds(29_500))
    }

    @Test func a429PausesForExactlyItsRetryAfterOrTheDefault() {
        var pacing = MemberPacing()
        pacing.observeRetryAfter(.milliseconds(2500), now: time.ms(0))
        #expect(pacing.delay(now: time.ms(0)) == .milliseconds(2500))
        #expect(pacing.delay(now: time.ms(2500)) == .zero)
        pacing.observeRetryAfter(nil, now: time.ms(3000))
        #expect(pacing.delay(now: time.ms(3000)) == .seconds(1))
        var disabled = MemberPacing(
            settings: {
                var settings = PacingSettings()
                settings.enabled = false
                return settings
            }()
        )
        disabled.observeRetryAfter(.seconds(5), now: time.ms(0))
        #expect(disabled.delay(now: time.ms(0)) == .zero)
    }

    @Test func zeroRemainingWithoutAResetPausesForTheDefault() {
        var pacing = MemberPacing()
        var report = ProviderRateReport()
        report.requests.remaining = 0
        pacing.observe(report, now: time.ms(0))
        #expect(pacing.delay(now: time.ms(0)) == .seconds(1))
    }
}
