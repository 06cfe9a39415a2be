import NIOCore
import NeuroLinkCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The connecting process, read with `SO_PEERCRED` when the connection is accepted.
/// Same layout as `struct ucred`, which Glibc's module does not export.
struct PeerCredentials: Sendable, Hashable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0

    /// Reads the peer of an accepted Unix-socket channel; `nil` when the kernel does not say.
    static func read(from channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(nil)
        }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET),
            name: SocketOptionName(SO_PEERCRED)
        )
        return future.map { Optional($0) }.recover { _ in nil }
    }
}

extension PeerCredentials {
    /// The login name of `uid` from the user database, for tenant mapping by name; `nil` when the
    /// uid has no entry (e.g. a systemd DynamicUser that has gone). Cached for a minute: the lookup
    /// goes through NSS (files, perhaps LDAP), far too slow to repeat for every request.
    static func username(uid: UInt32) -> String? {
        UserDatabase.shared.name(of: uid)
    }

    /// The caller this peer is: its tenant is resolved per request.
    func caller(adminGroup: String?) -> Caller {
        let username = Self.username(uid: uid)
        let admin =
            uid == 0 || adminGroup.map { UserDatabase.shared.isMember(gid: gid, username: username, of: $0) } ?? false
        return Caller(uid: uid, gid: gid, pid: pid, username: username, isAdmin: admin)
    }
}

/// Cached lookups in the user and group databases (`getpwuid_r`, `getgrnam_r`), at most once a
/// minute per key: they go through NSS, far too slow to repeat for every connection.
final class UserDatabase: Sendable {
    static let shared = UserDatabase()
    private let names = Mutex<[UInt32: (name: String?, at: ContinuousClock.Instant)]>([:])
    private let groups = Mutex<[String: (gid: UInt32?, members: Set<String>, at: ContinuousClock.Instant)]>([:])
    private let lifetime: Duration = .seconds(60)
    /// Bounded: uids come from peers.
    private let maxEntries = 10_000

    func name(of uid: UInt32) -> String? {
        let now = ContinuousClock.now
        if let cached = names.withLock({ $0[uid] }), now - cached.at < lifetime { return cached.name }
        let name = Self.lookUpUser(uid)
        names.withLock { names in
            if names.count > maxEntries { names.removeAll() }
            names[uid] = (name, now)
        }
        return name
    }

    /// Whether a peer with primary group `gid` and login `username` belongs to the group `name`.
    func isMember(gid: UInt32, username: String?, of name: String) -> Bool {
        let now = ContinuousClock.now
        var group = groups.withLock { $0[name] }
        if group == nil || now - (group?.at ?? now) >= lifetime {
            let found = Self.lookUpGroup(name)
            group = (found?.gid, found?.members ?? [], now)
            groups.withLock { $0[name] = group }
        }
        guard let group, let groupID = group.gid else { return false }
        return gid == groupID || username.map(group.members.contains) ?? false
    }

    private static func lookUpUser(_ uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 1024)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    private static func lookUpGroup(_ name: String) -> (gid: UInt32, members: Set<String>)? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        var members: Set<String> = []
        var cursor = entry.gr_mem
        while let member = cursor?.pointee {
            members.insert(String(cString: member))
            cursor = cursor?.advanced(by: 1)
        }
        return (entry.gr_gid, members)
    }
}
