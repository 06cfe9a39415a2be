import Foundation
import NeuroLinkLimits

/// The rate limiter's cost per request: `Limiter.admit` followed by `Limiter.finish`, in this process,
/// with the in-memory store, as the daemon's pipeline calls them (one `admit` per attempt, one
/// `finish` with the real usage at the end). No daemon, socket or upstream is involved.
enum AdmissionOverhead {
    struct Scenario: Sendable {
        let label: String
        let config: RateLimitConfig
        /// Whether the 5 µs median target applies; the worst case is measured for reference only.
        var hasTarget = true
    }

    struct Result: Sendable {
        let label: String
        /// Nanoseconds per admit + finish, one sample per request.
        let samples: Percentiles
        /// Requests the limiter denied; the limits are set so that none should be.
        let denied: Int
        /// Buckets charged per request.
        let buckets: Int
        let hasTarget: Bool
    }

    struct Run: Sendable {
        let results: [Result]
        /// Median cost of the two clock reads around each sample, in nanoseconds (included in the samples).
        let clockNs: Double
        let iterations: Int
    }

    /// Tenants and providers the requests rotate through, so the limiter's tables hold several keys
    /// per scope kind as in a daemon serving many users.
    static let tenants = (0..<64).map { TenantKey("tenant-\($0)") }
    static let members = (0..<4).map { "provider-\($0)" }

    /// Limits high enough never to deny: the figure is the cost of checking and charging them.
    static func scenarios() -> [Scenario] {
        let requests = RateLimit(rate: .perSecond(1_000_000), burst: 1_000_000)
        let tokens = RateLimit.tokensPerMinute(1_000_000_000_000)
        var requestLimits = RateLimitConfig()
        requestLimits.global = ScopeLimits(requests: requests)
        requestLimits.memberDefaults = ScopeLimits(requests: requests)
        requestLimits.tenantDefaults = ScopeLimits(requests: requests)

        var tokenLimits = RateLimitConfig()
        let full = ScopeLimits(requests: requests, tokens: tokens, maxInFlight: 10_000)
        tokenLimits.global = full
        tokenLimits.memberDefaults = full
        tokenLimits.tenantDefaults = full
        tokenLimits.tenantMemberDefaults = full

        // The most a configuration can ask for: every rate and token dimension at every scope.
        var everything = RateLimitConfig()
        let every = ScopeLimits(
            requests: requests,
            tokens: tokens,
            inputTokens: tokens,
            outputTokens: tokens,
            maxInFlight: 10_000
        )
        everything.global = every
        everything.memberDefaults = every
        everything.tenantDefaults = every
        everything.tenantMemberDefaults = every
        return [
            Scenario(label: "(a) no limits", config: RateLimitConfig()),
            Scenario(label: "(b) request rate: global + provider + tenant", config: requestLimits),
            Scenario(label: "(c) all four scopes: request rate + tokens/min + in-flight", config: tokenLimits),
            Scenario(
                label: "(d) all four scopes: every rate and token dimension + in-flight (worst case)",
                config: everything,
                hasTarget: false
            ),
        ]
    }

    static func run(iterations: Int, warmup: Int) async -> Run {
        let requests = tenants.enumerated().flatMap { index, tenant in
            members.map { member in
                // ~500 input tokens estimated from characters, 256 output tokens from maxTokens.
                AdmissionRequest(tenant: tenant, member: member, inputCharacters: 2_000 + index, maxOutputTokens: 256)
            }
        }
        let usage = TokenUsage(input: 480, output: 120)
        var results: [Result] = []
        for scenario in scenarios() {
            // A fresh limiter per scenario, so no scenario inherits another's tables.
            let limiter = Limiter(config: scenario.config, store: InMemoryLimiterStore())
            var samples: [Double] = []
            samples.reserveCapacity(iterations)
            var denied = 0
            for index in 0..<(warmup + iterations) {
                let request = requests[index % requests.count]
                let start = ContinuousClock.now
                switch await limiter.admit(request, now: start) {
                case .admitted(let permit): await limiter.finish(permit, actual: usage, now: start)
                case .denied: denied += 1
                }
                let end = ContinuousClock.now
                if index >= warmup { samples.append(Double((end - start) / .nanoseconds(1))) }
            }
            let perRequest = [
                scenario.config.global, scenario.config.memberDefaults, scenario.config.tenantDefaults,
                scenario.config.tenantMemberDefaults,
            ]
            .map { limits in LimitDimension.allCases.filter { limits[$0] != nil }.count }.reduce(0, +)
            results.append(
                Result(
                    label: scenario.label,
                    samples: Percentiles(samples),
                    denied: denied,
                    buckets: perRequest,
                    hasTarget: scenario.hasTarget
                )
            )
            note(
                "admission \(scenario.label): p50 \(fmt(Percentiles(samples).p50, 0)) ns, "
                    + "p99 \(fmt(Percentiles(samples).p99, 0)) ns, \(denied) denied"
            )
        }
        return Run(results: results, clockNs: clockOverhead(iterations: iterations), iterations: iterations)
    }

    /// The median time between two back-to-back clock reads: what each sample's timing itself costs.
    static func clockOverhead(iterations: Int) -> Double {
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let start = ContinuousClock.now
            let end = ContinuousClock.now
            samples.append(Double((end - start) / .nanoseconds(1)))
        }
        return Percentiles(samples).p50
    }

    /// Rows for the report's summary table.
    static func tableRows(_ run: Run) -> [String] {
        run.results.map { result in
            let ok = result.samples.p50 < 5_000 && result.denied == 0
            let verdict = result.hasTarget ? "p50 < 5 µs | \(ok ? "PASS" : "**MISS**")" : "(reference) | "
            return "| Admission overhead, admit + finish, \(result.label) (p50 / p99) | "
                + "\(micro(result.samples.p50)) / \(micro(result.samples.p99)) | \(verdict) |"
        }
    }

    /// The detail section.
    static func detail(_ run: Run) -> [String] {
        var lines = [
            "", "### Admission overhead detail", "",
            "`Limiter.admit` + `Limiter.finish` (with usage, so token charges are reconciled) per request, in process, "
                + "in-memory store, \(run.iterations.formatted()) requests per scenario after warm-up, rotating over "
                + "\(tenants.count) tenants × \(members.count) providers. Each sample includes two clock reads "
                + "(median \(fmt(run.clockNs, 0)) ns together).", "",
            "| Scenario | Buckets per request | p50 | p99 | max | Denied |", "| --- | --- | --- | --- | --- | --- |",
        ]
        for result in run.results {
            lines.append(
                "| \(result.label) | \(result.buckets) | \(micro(result.samples.p50)) | \(micro(result.samples.p99)) | "
                    + "\(micro(result.samples.max)) | \(result.denied) |"
            )
        }
        return lines
    }

    /// Nanoseconds as "0.42 µs".
    static func micro(_ ns: Double) -> String { "\(fmt(ns / 1000, 2)) µs" }
}
