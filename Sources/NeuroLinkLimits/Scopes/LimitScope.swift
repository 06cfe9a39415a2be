/// Where a limit applies. All four scopes apply to every request at once: the daemon as a whole,
/// the provider (pool member) that serves it, the tenant that sent it, and that tenant on that member.
public enum LimitScope: Sendable, Hashable, CustomStringConvertible {
    /// Every request through this daemon.
    case global
    /// One provider or pool member, by its configured name.
    case member(String)
    /// One tenant (usually the connecting Unix user).
    case tenant(TenantKey)
    /// One tenant's requests to one member.
    case tenantMember(TenantKey, member: String)

    /// The scope without its names, for counters and configuration.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case global, member, tenant
        case tenantMember = "tenant_member"
    }

    /// This scope's kind.
    public var kind: Kind {
        switch self {
        case .global: .global
        case .member: .member
        case .tenant: .tenant
        case .tenantMember: .tenantMember
        }
    }

    /// `global`, `member:openai`, `tenant:alice`, `tenant:alice/member:openai`.
    public var description: String {
        switch self {
        case .global: "global"
        case .member(let member): "member:\(member)"
        case .tenant(let tenant): "tenant:\(tenant)"
        case .tenantMember(let tenant, let member): "tenant:\(tenant)/member:\(member)"
        }
    }
}

/// Names a tenant's buckets: the configured tenant `name`, plus an optional `subKey` (the request's
/// `context.userId`, when the configuration enables per-user sub-keys) so each end user of one
/// tenant gets buckets of their own while the tenant's configured limits still apply to each.
public struct TenantKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The tenant's name; configuration looks limits up by it.
    public var name: String
    /// A further split of the tenant's buckets, or `nil`.
    public var subKey: String?

    public init(_ name: String, subKey: String? = nil) {
        self.name = name
        self.subKey = subKey
    }

    /// `alice` or `alice/user-42`.
    public var description: String { subKey.map { "\(name)/\($0)" } ?? name }

    public static func < (lhs: TenantKey, rhs: TenantKey) -> Bool {
        (lhs.name, lhs.subKey ?? "") < (rhs.name, rhs.subKey ?? "")
    }
}

/// What a bucket counts.
public enum LimitDimension: String, Sendable, Hashable, CaseIterable {
    /// Requests.
    case requests
    /// Input plus output tokens.
    case tokens
    /// Prompt tokens.
    case inputTokens = "input_tokens"
    /// Completion tokens.
    case outputTokens = "output_tokens"
}
