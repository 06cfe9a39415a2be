import Foundation
import LoopbackUpstream
import NeuroLinkTestSupport
import Testing

/// `http.header_timeout_ms`: a client that trickles its request head is cut off, counted from the
/// head's first byte, while a keep-alive connection may wait for its next request as long as the
/// idle timeout allows.
@Suite struct HTTPFrontDeadlineTests {
    @Test func aTricklingHeadIsCutOffButAQuietConnectionMayStillAsk() async throws {
        try await LoopbackUpstream.with { upstream in
            let port = FreePort.loopback()
            let extra = "  header_timeout_ms: 300\n  idle_timeout_ms: 10000\n"
            try await DaemonProcess.with(config: HTTPFrontTests.config(upstream, port: port, extra: extra)) { _ in
                try await HTTPFrontTests.waitUntilListening(port)

                // Quiet for twice the header timeout, then a whole request: answered.
                let quiet = try #require(Trickle.connect(port: port))
                defer { close(quiet) }
                try await Task.sleep(for: .milliseconds(600))
                #expect(Trickle.send(quiet, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
                let answer = RawHTTP.readToEnd(quiet)
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")

                // One header line every 100 ms: well inside the idle timeout, but the head is cut off.
                let slow = try #require(Trickle.connect(port: port))
                defer { close(slow) }
                let started = ContinuousClock.now
                #expect(Trickle.send(slow, "GET /healthz HTTP/1.1\r\n"))
                var closedAfter: Duration?
                for index in 0..<30 {
                    try await Task.sleep(for: .milliseconds(100))
                    if Trickle.peerClosed(slow) {
                        closedAfter = .now - started
                        break
                    }
                    _ = Trickle.send(slow, "X-Slow-\(index): 1\r\n")
                }
                let after = try #require(closedAfter, "the daemon kept a trickling head open for 3 s")
                #expect(after < .milliseconds(1500), "closed after \(after)")
            }
        }
    }
}

/// A TCP client that sends what it is told when it is told: no HTTP library would send a head
/// one line at a time.
enum Trickle {
    static func connect(port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        guard RawHTTP.connect(descriptor, port: port) else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    static func send(_ descriptor: Int32, _ text: String) -> Bool {
        Glibc.send(descriptor, text, text.utf8.count, Int32(MSG_NOSIGNAL)) == text.utf8.count
    }

    /// Whether the server closed the connection (a read that would not block returns end of file
    /// or a reset).
    static func peerClosed(_ descriptor: Int32) -> Bool {
        var byte: UInt8 = 0
        let received = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT))
        return received == 0 || (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
