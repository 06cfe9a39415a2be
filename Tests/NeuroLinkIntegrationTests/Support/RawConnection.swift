import Foundation

/// A blocking Unix-socket connection speaking raw frames, for tests that need byte-level control
/// (garbage, oversize frames, a client that stops reading, an abrupt close).
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(path: String, receiveTimeout: Duration = .seconds(10)) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonProcessError(message: "socket() failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        // No close() here: `fd` is initialised, so deinit runs for the failed instance and closes it.
        // Closing twice would close whatever descriptor another test opened in between.
        guard result == 0 else { throw DaemonProcessError(message: "connect(\(path)) failed: errno \(errno)") }
        let (seconds, attoseconds) = receiveTimeout.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw DaemonProcessError(message: "write failed: errno \(errno)") }
            offset += written
        }
    }

    /// Sends one frame holding `json`.
    func send(_ json: String) throws {
        let body = Array(json.utf8)
        let length = UInt32(body.count)
        try sendRaw(
            [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body
        )
    }

    private func readExactly(_ count: Int) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = buffer[offset...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return nil }
            guard n > 0 else { throw DaemonProcessError(message: "read failed or timed out: errno \(errno)") }
            offset += n
        }
        return buffer
    }

    /// The next frame as a JSON object, or `nil` at end of stream.
    func readMessage() throws -> [String: Any]? {
        guard let header = try readExactly(4) else { return nil }
        let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard let body = try readExactly(length) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }

    /// Reads until the response (a message with `id`) for `id` arrives; returns it and the chunks before it.
    func readUntilResponse(id: Int) throws -> (response: [String: Any], chunks: [[String: Any]]) {
        var chunks: [[String: Any]] = []
        while let message = try readMessage() {
            if message["method"] as? String == "stream.chunk", let params = message["params"] as? [String: Any] {
                chunks.append(params)
            } else if (message["id"] as? Int) == id {
                return (message, chunks)
            }
        }
        throw DaemonProcessError(message: "connection closed before the response to \(id)")
    }

    /// Whether the peer closed the connection (read returns EOF) within the receive timeout.
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 0
    }
}

extension Dictionary where Key == String, Value == Any {
    var errorType: String? { ((self["error"] as? [String: Any])?["data"] as? [String: Any])?["type"] as? String }
    var errorCode: Int? { (self["error"] as? [String: Any])?["code"] as? Int }
    var errorData: [String: Any]? { (self["error"] as? [String: Any])?["data"] as? [String: Any] }
}
