#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The check a client makes before sending anything to a socket: could another local user have put
/// the socket there? If so, whoever answers may not be the daemon, and prompts would go to them.
///
/// The rule (docs/protocol.md §12, "Connecting"), applied to the path with every symbolic link resolved:
///
/// 1. Every directory above the socket's directory is owned by root or by the caller (effective uid),
///    and is not writable by group or others unless it is sticky (like `/tmp`, where no one can rename
///    or delete another user's entries).
/// 2. The socket's directory either
///    - is owned by root or the caller and is not writable by group or others unless sticky; in a sticky
///      directory that group or others can write, the socket file must itself be owned by root or the caller; or
///    - belongs to the daemon's group (``daemonGroupName``), is writable by neither group nor others, and its
///      parent is owned by root and writable by no one else: only root can have made it (systemd's
///      `RuntimeDirectory=` with `Group=`), whichever user owns it.
///
/// The caller then connects to the resolved path, so a symbolic link swapped after the check changes nothing.
public struct SocketTrust: Sendable {
    /// The group whose runtime directory is trusted although neither root nor the caller owns it:
    /// the group `sysusers.d/neurolink.conf` creates and `neurolinkd.socket` uses as `SocketGroup=`.
    public static let daemonGroupName = "neurolink"

    /// Whose directories count as the caller's own.
    public var callerUID: UInt32
    /// The daemon's group id, or `nil` when the system has no such group.
    public var daemonGroup: UInt32?

    public init(callerUID: UInt32 = geteuid(), daemonGroup: UInt32? = SocketTrust.groupID(named: daemonGroupName)) {
        self.callerUID = callerUID
        self.daemonGroup = daemonGroup
    }

    /// Why a socket path is not used.
    public enum Failure: Error, Sendable, Hashable {
        /// The path cannot be resolved (nothing there, or a directory cannot be searched): `errno`.
        case unresolvable(errno: Int32)
        /// Another user could have put the socket there; the reason names the directory and why.
        case untrusted(reason: String)
    }

    /// The path to connect to — `path` with symbolic links resolved — or why it must not be used.
    public func verify(_ path: String) throws(Failure) -> String {
        guard let resolvedPointer = realpath(path, nil) else { throw .unresolvable(errno: errno) }
        let resolved = String(cString: resolvedPointer)
        free(resolvedPointer)
        let directory = Self.parent(of: resolved)
        var ancestors: [String] = []
        var current = directory
        while current != "/" {
            current = Self.parent(of: current)
            ancestors.append(current)
        }
        for ancestor in ancestors.reversed() { try checkAncestor(ancestor) }
        try checkDirectory(directory, socket: resolved)
        return resolved
    }

    private func checkAncestor(_ path: String) throws(Failure) {
        let info = try Self.status(path)
        guard isTrustedOwner(info.st_uid) else { throw .untrusted(reason: ownerReason(path, info)) }
        guard !Self.othersMayReplaceEntries(info.st_mode) else {
            throw .untrusted(reason: writableReason(path, info))
        }
    }

    private func checkDirectory(_ path: String, socket: String) throws(Failure) {
        let info = try Self.status(path)
        if isTrustedOwner(info.st_uid) {
            guard !Self.othersMayReplaceEntries(info.st_mode) else {
                throw .untrusted(reason: writableReason(path, info))
            }
            // Sticky and writable by others: anyone may have created the socket while it was missing.
            if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
                let socketInfo = try Self.status(socket)
                guard isTrustedOwner(socketInfo.st_uid) else {
                    throw .untrusted(
                        reason:
                            "\(socket) is owned by uid \(socketInfo.st_uid), neither root nor you (uid \(callerUID)), "
                            + "in a directory other users can write to"
                    )
                }
            }
            return
        }
        guard let daemonGroup, info.st_gid == daemonGroup else { throw .untrusted(reason: ownerReason(path, info)) }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .untrusted(reason: "\(path) (group \(Self.daemonGroupName)) is writable by \(writers(info.st_mode))")
        }
        let parent = Self.parent(of: path)
        let parentInfo = try Self.status(parent)
        guard parentInfo.st_uid == 0, parentInfo.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .untrusted(
                reason:
                    "\(path) is owned by uid \(info.st_uid) (group \(Self.daemonGroupName)), but its parent \(parent) "
                    + "is not a directory only root can write to, so anyone could have created it"
            )
        }
    }

    private func isTrustedOwner(_ uid: uid_t) -> Bool { uid == 0 || uid == callerUID }

    private func ownerReason(_ path: String, _ info: stat) -> String {
        "\(path) is owned by uid \(info.st_uid), neither root nor you (uid \(callerUID))"
            + (daemonGroup == nil ? "" : ", and is not a root-made directory of group \(Self.daemonGroupName)")
    }

    private func writableReason(_ path: String, _ info: stat) -> String {
        "\(path) is writable by \(writers(info.st_mode)) (mode \(Self.octal(info.st_mode))) and not sticky"
    }

    private func writers(_ mode: mode_t) -> String {
        switch (mode & S_IWGRP != 0, mode & S_IWOTH != 0) {
        case (true, true): "its group and every user"
        case (true, false): "its group"
        default: "every user"
        }
    }

    /// Group- or world-writable without the sticky bit: another user can rename or replace entries.
    static func othersMayReplaceEntries(_ mode: mode_t) -> Bool {
        mode & (S_IWGRP | S_IWOTH) != 0 && mode & S_ISVTX == 0
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    private static func status(_ path: String) throws(Failure) -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unresolvable(errno: errno) }
        return info
    }

    private static func octal(_ mode: mode_t) -> String {
        let text = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    /// The id of group `name`, or `nil` when there is no such group.
    public static func groupID(named name: String) -> UInt32? {
        var group = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let status = getgrnam_r(name, &group, &buffer, buffer.count, &result)
        guard status == 0, result != nil else { return nil }
        return group.gr_gid
    }
}
