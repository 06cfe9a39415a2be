import NIOCore
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
        UsernameCache.shared.name(of: uid)
    }
}

/// uid → login name, looked up with `getpwuid_r` at most once a minute per uid.
final class UsernameCache: Sendable {
    static let shared = UsernameCache()
    private let entries = Mutex<[UInt32: (name: String?, at: ContinuousClock.Instant)]>([:])
    private let lifetime: Duration = .seconds(60)

    func name(of uid: UInt32) -> String? {
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[uid] }), now - cached.at < lifetime { return cached.name }
        let name = Self.lookUp(uid)
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }  // Bounded: uids come from peers.
            entries[uid] = (name, now)
        }
        return name
    }

    private static func lookUp(_ uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 1024)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }
}
