/// Names the tenant of a connection. By default the tenant is the peer's Unix user name (or
/// `uid:N` when it has none); configuration may map uids, user names or primary gids to named
/// tenants, so several users share one tenant's limits.
public struct TenantMapping: Sendable, Hashable {
    /// Tenant by peer uid; checked first.
    public var uids: [UInt32: String] = [:]
    /// Tenant by peer user name; checked second.
    public var users: [String: String] = [:]
    /// Tenant by peer primary gid; checked last.
    public var gids: [UInt32: String] = [:]
    /// Whether a request's `context.userId` splits its tenant's buckets (each user id gets its own).
    public var userIdSubKeys = false

    public init() {}

    /// The tenant of a peer with `uid`, `gid` and `username` (if the user has one), for a request
    /// carrying `userId` in its context.
    public func tenant(uid: UInt32, gid: UInt32, username: String?, userId: String? = nil) -> TenantKey {
        let name = uids[uid] ?? username.flatMap { users[$0] } ?? gids[gid] ?? username ?? "uid:\(uid)"
        let subKey = userIdSubKeys ? userId.flatMap { $0.isEmpty ? nil : $0 } : nil
        return TenantKey(name, subKey: subKey)
    }
}
