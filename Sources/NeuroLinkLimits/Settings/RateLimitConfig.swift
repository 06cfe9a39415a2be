/// The limits in force, resolved from ``RateLimitSettings``: what the ``Limiter`` reads on every
/// admission. Lookups fall back from the specific (a named member or tenant) to the defaults.
public struct RateLimitConfig: Sendable, Hashable {
    public var global = ScopeLimits.unlimited
    public var memberDefaults = ScopeLimits.unlimited
    public var members: [String: ScopeLimits] = [:]
    public var tenantDefaults = ScopeLimits.unlimited
    public var tenants: [String: ScopeLimits] = [:]
    public var tenantMemberDefaults = ScopeLimits.unlimited
    /// By tenant name, then member name.
    public var tenantMembers: [String: [String: ScopeLimits]] = [:]
    /// Adaptive settings for every member not named below; `nil`: members adapt only when they opt in.
    public var adaptiveDefault: AdaptiveSettings?
    /// Members that opted into adaptive concurrency.
    public var adaptiveMembers: [String: AdaptiveSettings] = [:]
    /// Members that opted out of an adaptive default.
    public var adaptiveOptOut: Set<String> = []
    public var queue = QueueSettings()
    public var estimator = TokenEstimator()
    public var pacing = PacingSettings()
    public var tenantMapping = TenantMapping()

    /// No limits, strategy `reject`, provider pacing on.
    public init() {}

    /// The limits that apply at `scope`.
    public func limits(for scope: LimitScope) -> ScopeLimits {
        switch scope {
        case .global: global
        case .member(let member): members[member] ?? memberDefaults
        case .tenant(let tenant): tenants[tenant.name] ?? tenantDefaults
        case .tenantMember(let tenant, let member): tenantMembers[tenant.name]?[member] ?? tenantMemberDefaults
        }
    }

    /// The adaptive-concurrency settings for `member`, or `nil` when it does not adapt.
    public func adaptiveSettings(for member: String) -> AdaptiveSettings? {
        if let settings = adaptiveMembers[member] { return settings }
        return adaptiveOptOut.contains(member) ? nil : adaptiveDefault
    }
}
