#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where daemon and clients find the socket when no path is given explicitly.
public enum SocketPath {
    /// `NEUROLINK_SOCKET`, else `/run/neurolink/neurolinkd.sock` for root, else
    /// `$XDG_RUNTIME_DIR/neurolink/neurolinkd.sock` (falling back to `/tmp/neurolink-UID/`).
    public static func resolve(
        explicit: String? = nil,
        environment: [String: String],
        uid: UInt32 = geteuid()
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["NEUROLINK_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        if uid == 0 { return "/run/neurolink/neurolinkd.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/neurolink/neurolinkd.sock"
        }
        return "/tmp/neurolink-\(uid)/neurolinkd.sock"
    }
}
