import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// Who sent a request, as every stage sees it: the identity limits, policy, the cache scope and
/// analytics key on. The transport fills in what it knows (a Unix socket reads the peer's
/// credentials; an HTTP front would name an API key) and the runner resolves the tenant.
public struct Caller: Sendable, Hashable {
    /// The peer process's user, group and pid (`SO_PEERCRED`), when the transport has them.
    public var uid: UInt32?
    public var gid: UInt32?
    public var pid: Int32?
    /// The login name of `uid`, for tenant mapping by name.
    public var username: String?
    /// Whether the caller may see every tenant's requests and state (root or `server.admin_group`).
    public var isAdmin: Bool
    /// The tenant the request is accounted to; set by ``RequestRunner/start(_:)``.
    public var tenant: TenantKey
    /// The groups named by `security.policies` that the peer belongs to, read when it connected.
    public var groups: Set<String> = []

    public init(
        uid: UInt32? = nil,
        gid: UInt32? = nil,
        pid: Int32? = nil,
        username: String? = nil,
        isAdmin: Bool = false,
        tenant: TenantKey = TenantKey("default")
    ) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.username = username
        self.isAdmin = isAdmin
        self.tenant = tenant
    }
}
