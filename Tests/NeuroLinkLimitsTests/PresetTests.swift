import NeuroLinkLimits
import Testing

@Suite struct PresetTests {
    @Test func everyPresetResolvesToLimitsAndAQueueStrategy() {
        let development = RateLimitSettings(preset: .development).resolved()
        #expect(development.global.requests == RateLimit(rate: .perSecond(20), burst: 20))
        #expect(development.queue.strategy == .reject)
        let standard = RateLimitSettings(preset: .standard).resolved()
        #expect(standard.tenantDefaults.tokens == RateLimit.tokensPerMinute(200_000))
        #expect(standard.queue.strategy == .queue)
        let enterprise = RateLimitSettings(preset: .enterprise).resolved()
        #expect(enterprise.queue.priorityEnabled)
        #expect(enterprise.tenantMemberDefaults.requests != nil)
        #expect(enterprise.adaptiveSettings(for: "openai") == nil)
        #expect(RateLimitSettings().resolved() == RateLimitConfig())
    }

    @Test func aKeyOverridesThePresetForThatKeyAlone() {
        var settings = RateLimitSettings(preset: .standard)
        settings.tenantDefaults.requestRate = .limit(.perMinute(120))
        settings.global.maxInFlight = .unlimited
        settings.queue.maxSize = 5
        let config = settings.resolved()
        // The rate changed; the preset's burst and token budget stayed.
        #expect(config.tenantDefaults.requests == RateLimit(rate: .perMinute(120), burst: 10))
        #expect(config.tenantDefaults.tokens == RateLimit.tokensPerMinute(200_000))
        #expect(config.global.maxInFlight == nil)
        #expect(config.global.requests == RateLimit(rate: .perSecond(50), burst: 25))
        #expect(config.queue.maxSize == 5)
        #expect(config.queue.maxWait == .seconds(30))
    }

    @Test func namedMembersAndTenantsMergeOverTheirDefaults() {
        var settings = RateLimitSettings(preset: .standard)
        settings.members["openai"] = MemberLimitSettings(
            limits: ScopeLimitSettings(requestRate: .limit(.perMinute(3000)), burst: 50),
            adaptive: AdaptiveSettings.Overrides(enabled: true, maxLimit: 12)
        )
        settings.tenants["ci"] = TenantLimitSettings(
            limits: ScopeLimitSettings(requestRate: .unlimited),
            members: ["openai": ScopeLimitSettings(maxInFlight: 2)]
        )
        let config = settings.resolved()
        let openai = config.limits(for: .member("openai"))
        #expect(openai.requests == RateLimit(rate: .perMinute(3000), burst: 50))
        #expect(openai.maxInFlight == 32)
        #expect(config.limits(for: .member("other")).requests == nil)
        #expect(config.adaptiveSettings(for: "openai")?.maxLimit == 12)
        #expect(config.adaptiveSettings(for: "other") == nil)
        let ci = TenantKey("ci", subKey: "job-7")
        #expect(config.limits(for: .tenant(ci)).requests == nil)
        #expect(config.limits(for: .tenant(ci)).maxInFlight == 16)
        #expect(config.limits(for: .tenantMember(ci, member: "openai")).maxInFlight == 2)
        #expect(config.limits(for: .tenantMember(ci, member: "other")).maxInFlight == nil)
    }

    @Test func anUnsetBurstIsOneSecondsWorth() {
        #expect(ScopeLimitSettings(requestRate: .limit(.perSecond(20))).resolved().requests?.burst == 20)
        #expect(ScopeLimitSettings(requestRate: .limit(.perMinute(30))).resolved().requests?.burst == 1)
    }

    @Test func tenantsComeFromUidsUsersAndGroups() {
        var mapping = TenantMapping()
        mapping.uids[1001] = "team-a"
        mapping.users["bob"] = "team-b"
        mapping.gids[200] = "staff"
        #expect(mapping.tenant(uid: 1001, gid: 200, username: "bob") == TenantKey("team-a"))
        #expect(mapping.tenant(uid: 1002, gid: 200, username: "bob") == TenantKey("team-b"))
        #expect(mapping.tenant(uid: 1003, gid: 200, username: "carol") == TenantKey("staff"))
        #expect(mapping.tenant(uid: 1004, gid: 1, username: "dave") == TenantKey("dave"))
        #expect(mapping.tenant(uid: 1005, gid: 1, username: nil, userId: "u1") == TenantKey("uid:1005"))
        mapping.userIdSubKeys = true
        #expect(mapping.tenant(uid: 1004, gid: 1, username: "dave", userId: "u1") == TenantKey("dave", subKey: "u1"))
        #expect(mapping.tenant(uid: 1004, gid: 1, username: "dave", userId: "") == TenantKey("dave"))
    }
}
