/// The `rate_limits` configuration as written: every value optional, merged key by key over the
/// chosen ``preset`` (if any), then over built-in defaults (no limits, strategy `reject`), by
/// ``resolved()``. Plain values, no YAML: the configuration loader fills one in.
public struct RateLimitSettings: Sendable, Hashable {
    /// The preset whose values apply where these settings are silent.
    public var preset: RateLimitPreset?
    /// Limits on the whole daemon.
    public var global = ScopeLimitSettings()
    /// Limits every provider/member gets unless ``members`` says otherwise for it.
    public var memberDefaults = ScopeLimitSettings()
    /// Per-member limits and adaptive settings, by member (provider) name.
    public var members: [String: MemberLimitSettings] = [:]
    /// Limits every tenant gets unless ``tenants`` says otherwise for it.
    public var tenantDefaults = ScopeLimitSettings()
    /// Per-tenant limits, by tenant name.
    public var tenants: [String: TenantLimitSettings] = [:]
    /// Limits every tenant gets on every member unless its ``TenantLimitSettings/members`` says otherwise.
    public var tenantMemberDefaults = ScopeLimitSettings()
    /// What happens to denied requests.
    public var queue = QueueSettings.Overrides()
    /// Adaptive concurrency defaults; `enabled` here turns it on for every member.
    public var adaptive = AdaptiveSettings.Overrides()
    /// How tokens are estimated at admission.
    public var estimation = TokenEstimator.Overrides()
    /// How provider-reported limits slow admission.
    public var pacing = PacingSettings.Overrides()
    /// Which connections belong to which tenant.
    public var tenantMapping = TenantMapping()

    public init(preset: RateLimitPreset? = nil) {
        self.preset = preset
    }

    /// These settings where set, `base`'s elsewhere; maps are merged entry by entry.
    public func merged(over base: RateLimitSettings) -> RateLimitSettings {
        var result = self
        result.preset = preset ?? base.preset
        result.global = global.merged(over: base.global)
        result.memberDefaults = memberDefaults.merged(over: base.memberDefaults)
        result.members = base.members.merging(members) { $1.merged(over: $0) }
        result.tenantDefaults = tenantDefaults.merged(over: base.tenantDefaults)
        result.tenants = base.tenants.merging(tenants) { $1.merged(over: $0) }
        result.tenantMemberDefaults = tenantMemberDefaults.merged(over: base.tenantMemberDefaults)
        result.queue = queue.merged(over: base.queue)
        result.adaptive = adaptive.merged(over: base.adaptive)
        result.estimation = estimation.merged(over: base.estimation)
        result.pacing = pacing.merged(over: base.pacing)
        result.tenantMapping.uids = base.tenantMapping.uids.merging(tenantMapping.uids) { $1 }
        result.tenantMapping.users = base.tenantMapping.users.merging(tenantMapping.users) { $1 }
        result.tenantMapping.gids = base.tenantMapping.gids.merging(tenantMapping.gids) { $1 }
        result.tenantMapping.userIdSubKeys = tenantMapping.userIdSubKeys || base.tenantMapping.userIdSubKeys
        return result
    }

    /// The limits in force: these settings over the preset over the built-in defaults.
    public func resolved() -> RateLimitConfig {
        let settings = preset.map { merged(over: $0.settings) } ?? self
        var config = RateLimitConfig()
        config.global = settings.global.resolved()
        config.memberDefaults = settings.memberDefaults.resolved()
        config.members = settings.members.mapValues { $0.limits.merged(over: settings.memberDefaults).resolved() }
        config.tenantDefaults = settings.tenantDefaults.resolved()
        config.tenants = settings.tenants.mapValues { $0.limits.merged(over: settings.tenantDefaults).resolved() }
        config.tenantMemberDefaults = settings.tenantMemberDefaults.resolved()
        config.tenantMembers = settings.tenants.compactMapValues { tenant in
            tenant.members.isEmpty
                ? nil : tenant.members.mapValues { $0.merged(over: settings.tenantMemberDefaults).resolved() }
        }
        if settings.adaptive.enabled == true {
            config.adaptiveDefault = settings.adaptive.applied(to: AdaptiveSettings())
        }
        for (name, member) in settings.members {
            let adaptive = member.adaptive.merged(over: settings.adaptive)
            if adaptive.enabled == true {
                config.adaptiveMembers[name] = adaptive.applied(to: AdaptiveSettings())
            } else if member.adaptive.enabled == false {
                config.adaptiveOptOut.insert(name)
            }
        }
        config.queue = settings.queue.applied(to: QueueSettings())
        config.estimator = settings.estimation.applied(to: TokenEstimator())
        config.pacing = settings.pacing.applied(to: PacingSettings())
        config.tenantMapping = settings.tenantMapping
        return config
    }
}

/// One member's configured limits and adaptive-concurrency settings.
public struct MemberLimitSettings: Sendable, Hashable {
    public var limits: ScopeLimitSettings
    /// `enabled: true` opts the member into adaptive concurrency; other values override the defaults.
    public var adaptive: AdaptiveSettings.Overrides

    public init(limits: ScopeLimitSettings = ScopeLimitSettings(), adaptive: AdaptiveSettings.Overrides = .init()) {
        self.limits = limits
        self.adaptive = adaptive
    }

    /// These settings where set, `base`'s elsewhere.
    public func merged(over base: MemberLimitSettings) -> MemberLimitSettings {
        MemberLimitSettings(limits: limits.merged(over: base.limits), adaptive: adaptive.merged(over: base.adaptive))
    }
}

/// One tenant's configured limits, and its limits on particular members.
public struct TenantLimitSettings: Sendable, Hashable {
    public var limits: ScopeLimitSettings
    /// This tenant's limits on a member, by member name (over ``RateLimitSettings/tenantMemberDefaults``).
    public var members: [String: ScopeLimitSettings]

    public init(limits: ScopeLimitSettings = ScopeLimitSettings(), members: [String: ScopeLimitSettings] = [:]) {
        self.limits = limits
        self.members = members
    }

    /// These settings where set, `base`'s elsewhere.
    public func merged(over base: TenantLimitSettings) -> TenantLimitSettings {
        TenantLimitSettings(
            limits: limits.merged(over: base.limits),
            members: base.members.merging(members) { $1.merged(over: $0) }
        )
    }
}
