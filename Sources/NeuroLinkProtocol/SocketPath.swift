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

    /// The variables ``resolve(explicit:environment:uid:)`` reads, taken from the process environment
    /// one by one (copying the whole environment into a dictionary showed in profiles of `nlctl health`).
    public static func processEnvironment() -> [String: String] {
        var environment: [String: String] = [:]
        for name in ["NEUROLINK_SOCKET", "XDG_RUNTIME_DIR"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }
}
