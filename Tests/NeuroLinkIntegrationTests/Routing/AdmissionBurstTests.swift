import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Synchronization
import Testing

/// The rate limiter's figure through the real daemon: 1,000 requests against `rps: 50, burst: 10`.
@Suite struct AdmissionBurstTests {
    static let requests = 1_000
    static let spacing: Duration = .milliseconds(10)
    static let connections = 4

    /// What the senders saw, shared by the request tasks.
    struct Tally: Sendable {
        var admitted = 0
        var rateLimited = 0
        var other: [String] = []
        var firstSent: ContinuousClock.Instant?
        var lastSent: ContinuousClock.Instant?
    }

    /// The tally behind a lock, shared by reference with every request task.
    final class SharedTally: Sendable {
        private let mutex = Mutex(Tally())

        func withLock<R>(_ body: (inout Tally) -> R) -> R { mutex.withLock { body(&$0) } }
    }

    @Test(.timeLimit(.minutes(1)))
    func aPacedFloodAdmitsTheTheoreticalCountWithinFivePercent() async throws {
        let upstreams = try await Upstreams.start(["a"])
        defer { Task { await upstreams.shutdown() } }
        let config = upstreams.config("""
            rate_limits:
              global: { requests_per_second: 50, burst: 10 }
              queue: { strategy: reject }
            """)
        try await DaemonProcess.with(config: config) { daemon in
            try await Self.withClients(Self.connections, socketPath: daemon.socketPath) { clients in
                try await flood(clients, upstreams: upstreams)
            }
        }
    }

    /// Runs `body` with `count` connections to the daemon, all closed afterwards.
    static func withClients(
        _ count: Int, socketPath: String, opened: [NeuroLinkClient] = [], _ body: ([NeuroLinkClient]) async throws -> Void
    ) async throws {
        guard opened.count < count else { return try await body(opened) }
        try await NeuroLinkClient.withConnection(socketPath: socketPath) { client in
            try await withClients(count, socketPath: socketPath, opened: opened + [client], body)
        }
    }

    private func flood(_ clients: [NeuroLinkClient], upstreams: Upstreams) async throws {
        let tally = SharedTally()

        // 100 requests a second for 10 s, twice the limit: each goes out on its own schedule,
        // not after the previous answer, so a slow answer cannot slow the flood down.
        let start = ContinuousClock.now + .milliseconds(50)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<Self.requests {
                try? await Task.sleep(until: start + Self.spacing * index)
                let client = clients[index % Self.connections]
                group.addTask {
                    let sent = ContinuousClock.now
                    tally.withLock { tally in
                        tally.firstSent = min(tally.firstSent ?? sent, sent)
                        tally.lastSent = max(tally.lastSent ?? sent, sent)
                    }
                    do {
                        _ = try await client.generate(StreamRequest(prompt: "\(index)", provider: "a"))
                        tally.withLock { $0.admitted += 1 }
                    } catch let error as RPCError where error.type == .rateLimited {
                        tally.withLock { $0.rateLimited += 1 }
                    } catch {
                        tally.withLock { $0.other.append("\(error)") }
                    }
                }
            }
        }

        let result = tally.withLock { $0 }
        #expect(result.other.isEmpty, "only admissions and rate_limited expected: \(result.other.prefix(3))")
        #expect(result.admitted + result.rateLimited == Self.requests)
        guard let first = result.firstSent, let last = result.lastSent else {
            Issue.record("no request was sent")
            return
        }
        // An idle bucket admits burst + 1 at once, then 50 per second over the span of arrivals.
        let elapsed = Double((last - first) / .milliseconds(1)) / 1000
        let theory = 50 * elapsed + 11
        let deviation = (Double(result.admitted) - theory) / theory
        print("burst figure: \(result.admitted) admitted, \(result.rateLimited) rate limited over "
            + "\(String(format: "%.3f", elapsed)) s; theory \(String(format: "%.1f", theory)); "
            + "deviation \(String(format: "%+.2f", deviation * 100))%")
        #expect(elapsed > 9.5 && elapsed < 11, "the flood must span about 10 s, spanned \(elapsed) s")
        #expect(abs(deviation) <= 0.05, "\(result.admitted) admitted vs theory \(theory) over \(elapsed) s")
        #expect(upstreams.chatRequests("a") == result.admitted, "rejected requests must not reach the provider")

        // The daemon counts the same: admissions and rejections at the global scope.
        let limits = try await clients[0].status().limits
        let global = limits?.scopes.first { $0.scope == "global" }
        #expect(global?.admitted == result.admitted)
        #expect(global?.rejections["requests"] == result.rateLimited)
        #expect(limits?.queue.rejected == result.rateLimited)
    }
}
