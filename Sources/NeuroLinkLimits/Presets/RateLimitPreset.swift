/// Named starting points for `rate_limits`; any key set in the configuration replaces the preset's
/// value for that key alone.
///
/// - `development`: global 20 rps (burst 20), 16 in flight; 8 in flight per member; no tenant
///   limits; strategy `reject`.
/// - `standard`: global 50 rps (burst 25), 128 in flight; 32 in flight per member; per tenant
///   10 rps (burst 10), 200,000 tokens/min, 16 in flight; a queue of 200 waiting up to 30 s.
/// - `enterprise`: global 500 rps (burst 200), 1,024 in flight; 64 in flight per member; per tenant
///   50 rps (burst 50), 1,000,000 tokens/min, 64 in flight; per tenant per member 25 rps (burst 25);
///   a priority queue of 1,000 waiting up to 60 s.
///
/// Provider-reported limits are honoured in every preset. Adaptive concurrency stays opt-in per
/// member; `enterprise` sets its defaults (target 2 s, limit 4–128) so opting in is one key.
public enum RateLimitPreset: String, Sendable, Hashable, CaseIterable {
    /// One developer on one machine: catches runaway loops, fails fast.
    case development
    /// A shared team daemon: fair shares per user and a short queue.
    case standard
    /// Many tenants: per-tenant and per-tenant-per-member limits, a long priority queue.
    case enterprise

    /// The preset's values.
    public var settings: RateLimitSettings {
        var settings = RateLimitSettings()
        switch self {
        case .development:
            settings.global = ScopeLimitSettings(requestRate: .limit(.perSecond(20)), burst: 20, maxInFlight: 16)
            settings.memberDefaults = ScopeLimitSettings(maxInFlight: 8)
            settings.queue = QueueSettings.Overrides(strategy: .reject)
        case .standard:
            settings.global = ScopeLimitSettings(requestRate: .limit(.perSecond(50)), burst: 25, maxInFlight: 128)
            settings.memberDefaults = ScopeLimitSettings(maxInFlight: 32)
            settings.tenantDefaults = ScopeLimitSettings(
                requestRate: .limit(.perSecond(10)),
                burst: 10,
                tokensPerMinute: 200_000,
                maxInFlight: 16
            )
            settings.queue = QueueSettings.Overrides(
                strategy: .queue,
                maxSize: 200,
                maxWait: .seconds(30),
                priorityEnabled: false
            )
        case .enterprise:
            settings.global = ScopeLimitSettings(requestRate: .limit(.perSecond(500)), burst: 200, maxInFlight: 1024)
            settings.memberDefaults = ScopeLimitSettings(maxInFlight: 64)
            settings.tenantDefaults = ScopeLimitSettings(
                requestRate: .limit(.perSecond(50)),
                burst: 50,
                tokensPerMinute: 1_000_000,
                maxInFlight: 64
            )
            settings.tenantMemberDefaults = ScopeLimitSettings(requestRate: .limit(.perSecond(25)), burst: 25)
            settings.queue = QueueSettings.Overrides(
                strategy: .queue,
                maxSize: 1000,
                maxWait: .seconds(60),
                priorityEnabled: true
            )
            settings.adaptive = AdaptiveSettings.Overrides(
                targetResponseTime: .milliseconds(2000),
                minLimit: 4,
                maxLimit: 128,
                decreaseFactor: 0.9
            )
        }
        return settings
    }
}
