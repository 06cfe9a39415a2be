#if canImport(Glibc)
import Glibc
#endif

/// Loopback ports for test servers started as separate processes.
public enum FreePort {
    /// A port on 127.0.0.1 that nothing listens on right now (the kernel's choice for a bind to
    /// port 0, released at once).
    public static func loopback() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                _ = bind(descriptor, address, length)
                return getsockname(descriptor, address, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
