import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// The rate limiter's figure through the real daemon: 1,000 requests in 5 s against `rps: 100, burst: 10`.
///
/// Any pause in arrivals longer than the bucket's depth (11 / 100 s = 110 ms) loses admissions the
/// theory counts on, and on a busy machine other suites cause such pauses: this suite belongs to
/// the serial group (`SerialTests`), which scripts/test.sh runs alone after everything else.
@Suite(.serialized) struct AdmissionBurstSerialTests {
    static let requests = 1_000
    static let spacing: Duration = .milliseconds(5)
    static let connections = 4

    /// What one connection's reader saw.
    struct Answers: Sendable {
        var admitted = 0
        var rateLimited = 0
        var other: [String] = []
    }

    @Test(.timeLimit(.minutes(1)))
    func aPacedFloodAdmitsTheTheoreticalCountWithinFivePercent() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            let config = upstreams.config(
                """
                rate_limits:
                  global: { requests_per_second: 100, burst: 10 }
                  queue: { strategy: reject }
                """
            )
            try await DaemonProcess.with(config: config) { daemon in
                let (sent, results) = try await FrameConnection.with(path: daemon.socketPath, count: Self.connections) {
                    connections in
                    async let answers = withThrowingTaskGroup(of: Answers.self) { group in
                        for connection in connections {
                            group.addTask {
                                try await Self.readAnswers(connection, count: Self.requests / Self.connections)
                            }
                        }
                        return try await group.reduce(into: [Answers]()) { $0.append($1) }
                    }
                    let sent = try await Self.sendPaced(connections)
                    return (sent, try await answers)
                }

                let admitted = results.map(\.admitted).reduce(0, +)
                let rateLimited = results.map(\.rateLimited).reduce(0, +)
                let other = results.flatMap(\.other)
                #expect(other.isEmpty, "only admissions and rate_limited expected: \(other.prefix(3))")
                #expect(admitted + rateLimited == Self.requests)
                guard let first = sent.first, let last = sent.last else {
                    Issue.record("no request was sent")
                    return
                }
                // An idle bucket admits burst + 1 at once, then 100 per second over the span of arrivals.
                let elapsed = Double((last - first) / .microseconds(1)) / 1e6
                let theory = 100 * elapsed + 11
                let deviation = (Double(admitted) - theory) / theory
                let longestGap =
                    zip(sent, sent.dropFirst()).map { Double(($1 - $0) / .microseconds(1)) / 1000 }.max() ?? 0
                let figure =
                    "\(admitted) admitted, \(rateLimited) rate limited over \(String(format: "%.3f", elapsed)) s; "
                    + "theory \(String(format: "%.1f", theory)); deviation \(String(format: "%+.2f", deviation * 100))%; "
                    + "longest gap between sends \(String(format: "%.1f", longestGap)) ms"
                print("burst figure: \(figure)")
                #expect(elapsed > 4.75 && elapsed < 5.5, "the flood must span about 5 s: \(figure)")
                #expect(abs(deviation) <= 0.05, "\(figure)")
                #expect(upstreams.chatRequests("a") == admitted, "rejected requests must not reach the provider")

                // The daemon counts the same: admissions and rejections at the global scope.
                let limits = try await NeuroLinkClient.withConnection(socketPath: daemon.socketPath) {
                    try await $0.status().limits
                }
                let global = limits?.scopes.first { $0.scope == "global" }
                #expect(global?.admitted == admitted)
                #expect(global?.rejections["requests"] == rateLimited)
                #expect(limits?.queue.rejected == rateLimited)
            }
        }
    }

    /// Sends request `i` at `start + i × spacing` on connection `i mod n`, each as soon as its time
    /// comes, never waiting for an answer. Returns the send times.
    static func sendPaced(_ connections: [FrameConnection]) async throws -> [ContinuousClock.Instant] {
        var sent: [ContinuousClock.Instant] = []
        sent.reserveCapacity(requests)
        let start = ContinuousClock.now + .milliseconds(20)
        for index in 0..<requests {
            try await Task.sleep(until: start + spacing * index, clock: .continuous)
            sent.append(.now)
            try await connections[index % connections.count].send(
                #"{"jsonrpc":"2.0","id":\#(index),"method":"generate","params":{"input":{"text":"\#(index)"},"provider":"a"}}"#
            )
        }
        return sent
    }

    /// Reads `count` responses from `connection` (skipping chunk notifications) and sorts them.
    static func readAnswers(_ connection: FrameConnection, count: Int) async throws -> Answers {
        var answers = Answers()
        var seen = 0
        while seen < count, let message = try await connection.readMessage(timeout: .seconds(30)) {
            guard message["id"] as? Int != nil else { continue }
            seen += 1
            if message["result"] != nil {
                answers.admitted += 1
            } else if message.errorType == "rate_limited" {
                answers.rateLimited += 1
            } else {
                answers.other.append("\(message)")
            }
        }
        return answers
    }
}
