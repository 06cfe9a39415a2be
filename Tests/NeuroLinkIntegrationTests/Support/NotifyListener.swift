import Foundation
import Synchronization

/// A datagram socket playing systemd's part of the `sd_notify` protocol: the daemon is started with
/// `NOTIFY_SOCKET` pointing here, and every message is recorded with its arrival time.
///
/// When a message holding `READY=1` arrives, the listener thread at once tries to connect to
/// `probeSocketPath`, so a test can tell whether the daemon's socket already accepted connections
/// at the moment it claimed readiness.
final class NotifyListener: @unchecked Sendable {
    struct Message: Sendable {
        var at: ContinuousClock.Instant
        var text: String
        /// For a `READY=1` message: whether the daemon's socket accepted a connection right then.
        var socketAccepted: Bool?

        var assignments: [String] { text.split(separator: "\n").map(String.init) }
        func has(_ assignment: String) -> Bool { assignments.contains(assignment) }
        func value(_ key: String) -> String? {
            assignments.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
    }

    let path: String
    private let fd: Int32
    private let probeSocketPath: String?
    private let received = Mutex<[Message]>([])
    private let stopped = Atomic<Bool>(false)
    private let clock = ContinuousClock()

    init(path: String, probeSocketPath: String? = nil) throws {
        self.path = path
        self.probeSocketPath = probeSocketPath
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonProcessError(message: "socket(AF_UNIX, SOCK_DGRAM) failed") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw DaemonProcessError(message: "bind(\(path)) failed: errno \(errno)") }
        // Wake up regularly so the thread notices stop().
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // The thread holds the listener only for one receive at a time: a listener a test forgot to
        // stop is released, and the thread ends. A thread looping forever would keep the test
        // process alive after every test finished (its main thread exits first on Linux).
        Thread { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while let listener = self, !listener.stopped.load(ordering: .relaxed) {
                listener.receiveOnce(into: &buffer)
            }
        }.start()
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Stops the receiving thread; call before the listener goes away.
    func stop() async {
        stopped.store(true, ordering: .relaxed)
        try? await Task.sleep(for: .milliseconds(100))
    }

    private func receiveOnce(into buffer: inout [UInt8]) {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return }
        var message = Message(at: clock.now, text: String(decoding: buffer[0..<n], as: UTF8.self), socketAccepted: nil)
        if message.has("READY=1"), let probeSocketPath {
            message.socketAccepted = unixSocketAccepts(probeSocketPath)
        }
        received.withLock { $0.append(message) }
    }

    var messages: [Message] { received.withLock { $0 } }

    /// Messages carrying `assignment` (e.g. `WATCHDOG=1`).
    func messages(with assignment: String) -> [Message] { messages.filter { $0.has(assignment) } }

    /// Waits for the first message after `after` that satisfies `predicate`.
    func wait(
        for description: String,
        after: ContinuousClock.Instant? = nil,
        timeout: Duration = .seconds(10),
        _ predicate: (Message) -> Bool
    ) async throws -> Message {
        let deadline = clock.now + timeout
        func found() -> Message? {
            messages.first { message in (after.map { message.at > $0 } ?? true) && predicate(message) }
        }
        while clock.now < deadline {
            if let message = found() { return message }
            try await Task.sleep(for: .milliseconds(5))
        }
        // Once more: on a busy machine the last sleep can overrun the deadline by a lot.
        if let message = found() { return message }
        throw DaemonProcessError(
            message: "no notification \(description) within \(timeout); got: \(messages.map(\.text))"
        )
    }

    /// Waits for the first message after `after` carrying `assignment`.
    func wait(
        for assignment: String,
        after: ContinuousClock.Instant? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> Message {
        try await wait(for: assignment, after: after, timeout: timeout) { $0.has(assignment) }
    }
}
