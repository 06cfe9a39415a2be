import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// A listening socket handed over by the service manager (`LISTEN_FDS`, see `sd_listen_fds(3)`).
public struct ActivatedSocket: Sendable, Hashable {
    /// The open, listening descriptor. Whoever adopts it owns it; the socket file is the service
    /// manager's and must never be unlinked by the daemon.
    public let descriptor: Int32
    /// The filesystem path the socket is bound to (`@name` for an abstract socket), when known.
    public let path: String?

    /// A socket from its descriptor and path.
    public init(descriptor: Int32, path: String?) {
        self.descriptor = descriptor
        self.path = path
    }
}

/// Why a passed socket cannot be used.
public struct SocketActivationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for the log and the exit message.
    public var description: String
}

/// Socket activation: finding the listening socket systemd (or `systemd-socket-activate`) passed.
public enum SocketActivation {
    /// The descriptors passed to this process; empty when it was not socket-activated.
    ///
    /// `sd_listen_fds` checks `LISTEN_PID` against our pid, so variables inherited by an unrelated
    /// child are ignored, and it marks the descriptors close-on-exec.
    public static func passedDescriptors() -> [Int32] {
        // 0: keep the variables; unsetting the environment would race with other threads.
        let count = sd_listen_fds(0)
        guard count > 0 else { return [] }
        return (0..<count).map { SD_LISTEN_FDS_START + $0 }
    }

    /// The first passed descriptor that is a listening Unix stream socket, or `nil` when the
    /// process was not socket-activated.
    ///
    /// - Throws: ``SocketActivationError`` when descriptors were passed but none of them is usable,
    ///   which means the `.socket` unit does not match the daemon (e.g. `ListenDatagram=`).
    public static func unixStreamListener() throws(SocketActivationError) -> ActivatedSocket? {
        let descriptors = passedDescriptors()
        guard !descriptors.isEmpty else { return nil }
        guard let descriptor = descriptors.first(where: isListeningUnixStream) else {
            throw SocketActivationError(
                description:
                    "socket activation passed \(descriptors.count) descriptor(s), but none is a listening Unix stream socket (use ListenStream=/path in the .socket unit)"
            )
        }
        return ActivatedSocket(descriptor: descriptor, path: boundPath(of: descriptor))
    }

    /// The first passed descriptor that is a listening TCP socket (IPv4 or IPv6): the HTTP front's,
    /// from `neurolinkd-http.socket`; `nil` when none was passed.
    public static func tcpListener() -> Int32? {
        passedDescriptors().first { sd_is_socket_inet($0, Int32(AF_UNSPEC), Int32(SOCK_STREAM.rawValue), 1, 0) > 0 }
    }

    /// Whether `descriptor` is a Unix-domain stream socket in the listening state.
    public static func isListeningUnixStream(_ descriptor: Int32) -> Bool {
        sd_is_socket_unix(descriptor, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0
    }

    /// The path a Unix socket is bound to: the filesystem path, `@name` for an abstract socket,
    /// `nil` when unbound or not a Unix socket.
    public static func boundPath(of descriptor: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let pathLength = max(0, min(Int(length) - pathOffset, MemoryLayout.size(ofValue: address.sun_path)))
        let bytes = withUnsafeBytes(of: &address.sun_path) { Array($0.prefix(pathLength)) }
        guard let first = bytes.first else { return nil }
        if first == 0 {
            // Abstract namespace: the name is every byte after the leading NUL, as `ss` shows it.
            return "@" + String(decoding: bytes.dropFirst(), as: UTF8.self)
        }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
