import Foundation

/// Shorthands for JSON-RPC messages read raw (``FrameConnection``).
extension Dictionary where Key == String, Value == Any {
    var errorType: String? { ((self["error"] as? [String: Any])?["data"] as? [String: Any])?["type"] as? String }
    var errorCode: Int? { (self["error"] as? [String: Any])?["code"] as? Int }
    var errorData: [String: Any]? { (self["error"] as? [String: Any])?["data"] as? [String: Any] }
}

/// Whether a Unix socket at `path` accepts a connection right now (the connection is closed at
/// once). Synchronous, for threads of their own that must check at a precise moment.
func unixSocketAccepts(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
        }
    }
}
