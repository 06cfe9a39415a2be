import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol
import Testing

/// Inputs the fuzzers (`Fuzz/`, docs/robustness.md) found that stopped the daemon; each test
/// traps or fails without its fix.
@Suite struct FuzzRegressionTests {
    /// `fuzz-headers`: a provider's `x-ratelimit-reset-requests: 999999999999999h` with nothing
    /// remaining paused the member for 3.6·10¹⁸ s, and `limits` status trapped converting the pause
    /// to milliseconds (so did the `rate_limited` error of the next request to that member).
    @Test func aFarProviderResetDoesNotStopLimitsStatus() async {
        let controller = AdmissionController(config: RateLimitConfig())
        let now = ContinuousClock.now
        controller.limiter.observe(
            headers: [("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "999999999999999h")],
            member: "m",
            unixTime: .seconds(1_767_225_600),
            now: now
        )
        let status = await controller.limitsStatus(now: now)
        let member = status.providers.first { $0.provider == "m" }
        #expect(member?.pausedForMs == 86_400_000)
    }
}
