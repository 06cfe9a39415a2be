import NeuroLinkLimits
import Testing

@testable import NeuroLinkCore

private let providers = """
    providers:
      - name: openai
        type: openai-compatible
        base_url: http://127.0.0.1:1/v1
      - name: claude
        type: openai-compatible
        base_url: http://127.0.0.1:2/v1
    """

private func parse(_ yaml: String) throws(ConfigError) -> DaemonConfig {
    try ConfigLoader(environment: [:]).parse(providers + "\n" + yaml, file: "limits.yaml")
}

private func error(_ yaml: String) -> ConfigError? {
    do {
        _ = try parse(yaml)
        return nil
    } catch {
        return error
    }
}

@Suite struct RateLimitsConfigTests {
    @Test func parsesEverySectionOverAPreset() throws {
        let config = try parse(
            """
            rate_limits:
              preset: standard
              global: { requests_per_second: 100, burst: 40, max_in_flight: unlimited }
              providers:
                default: { max_in_flight: 8 }
                openai:
                  requests_per_minute: 3000
                  tokens_per_minute: 1000000
                  adaptive: { enabled: true, target_response_time_ms: 1500, min_limit: 2, max_limit: 32 }
                claude: { adaptive: false, output_tokens_per_minute: 80000 }
              tenants:
                default: { requests_per_second: 2.5 }
                per_provider: { max_in_flight: 4 }
                map:
                  uids: { 1001: team-a }
                  users: { bob: team-b }
                  gids: { 100: staff }
                  user_id_sub_keys: true
                team-a:
                  requests_per_second: unlimited
                  providers:
                    openai: { max_in_flight: 2 }
              queue: { strategy: queue, max_queue_size: 50, max_queue_wait_ms: 5000, priority: true, default_priority: 3 }
              adaptive: { decrease_factor: 0.8 }
              estimation: { chars_per_token: 3.5, default_output_tokens: 256 }
              provider_headers: { enabled: true, low_watermark: 0.2, default_pause_ms: 2000 }
            """
        )
        let limits = config.rateLimits.resolved()
        #expect(limits.global.requests == RateLimit(rate: .perSecond(100), burst: 40))
        #expect(limits.global.maxInFlight == nil)
        #expect(limits.limits(for: .member("openai")).requests == RateLimit(rate: .perMinute(3000), burst: 50))
        #expect(limits.limits(for: .member("openai")).maxInFlight == 8)
        #expect(limits.limits(for: .member("claude")).outputTokens == RateLimit.tokensPerMinute(80000))
        #expect(limits.adaptiveSettings(for: "openai")?.maxLimit == 32)
        #expect(limits.adaptiveSettings(for: "openai")?.decreaseFactor == 0.8)
        #expect(limits.adaptiveSettings(for: "claude") == nil)
        // The preset's tenant burst and token budget stay; the rate is the file's.
        #expect(limits.tenantDefaults.requests == RateLimit(rate: .perSecond(2.5), burst: 10))
        #expect(limits.tenantDefaults.tokens == RateLimit.tokensPerMinute(200_000))
        #expect(limits.limits(for: .tenant(TenantKey("team-a"))).requests == nil)
        #expect(limits.limits(for: .tenantMember(TenantKey("team-a"), member: "openai")).maxInFlight == 2)
        #expect(limits.limits(for: .tenantMember(TenantKey("x"), member: "openai")).maxInFlight == 4)
        #expect(
            limits.tenantMapping.tenant(uid: 1001, gid: 1, username: "alice", userId: "u")
                == TenantKey("team-a", subKey: "u")
        )
        #expect(limits.tenantMapping.tenant(uid: 5, gid: 100, username: "carol") == TenantKey("staff"))
        #expect(limits.queue.maxSize == 50 && limits.queue.maxWait == .seconds(5) && limits.queue.priorityEnabled)
        #expect(limits.queue.defaultPriority == 3)
        #expect(limits.estimator.charsPerToken == 3.5)
        #expect(limits.pacing.lowWatermark == 0.2 && limits.pacing.defaultPause == .seconds(2))
    }

    @Test func withoutTheSectionNothingIsLimited() throws {
        #expect(try parse("").rateLimits.resolved() == RateLimitConfig())
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        let unknownProvider = error(
            """
            rate_limits:
              providers:
                opnai: { max_in_flight: 1 }
            """
        )
        #expect(
            unknownProvider?.description
                == "limits.yaml:10:5: rate_limits.providers.opnai: \"opnai\" is not a configured provider"
        )
        let both = error(
            """
            rate_limits:
              global: { requests_per_second: 1, requests_per_minute: 60 }
            """
        )
        #expect(both?.key == "rate_limits.global.requests_per_minute")
        #expect(error("rate_limits: { preset: huge }")?.message.contains("development, standard, enterprise") == true)
        #expect(error("rate_limits: { queue: { strategy: wait } }")?.key == "rate_limits.queue.strategy")
        #expect(error("rate_limits: { global: { burts: 3 } }")?.key == "rate_limits.global.burts")
        #expect(error("rate_limits: { global: { max_in_flight: 0 } }")?.key == "rate_limits.global.max_in_flight")
        #expect(
            error("rate_limits: { adaptive: { min_limit: 9, max_limit: 3 } }")?.key == "rate_limits.adaptive.max_limit"
        )
        #expect(
            error("rate_limits: { tenants: { map: { uids: { bob: x } } } }")?.message.contains("numeric id") == true
        )
        #expect(error("rate_limits: { tenants: { \"a/b\": { burst: 1 } } }")?.message.contains("/") == true)
    }
}
