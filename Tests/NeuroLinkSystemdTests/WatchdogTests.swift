import Logging
import NeuroLinkSystemd
import Synchronization
import Testing

/// Records when each `WATCHDOG=1` arrived.
private final class PingLog: Sendable {
    private let clock = ContinuousClock()
    private let times = Mutex<[ContinuousClock.Instant]>([])

    var notifier: Notifier {
        Notifier { [self] message in
            if message == "WATCHDOG=1" { times.withLock { $0.append(clock.now) } }
        }
    }

    var count: Int { times.withLock { $0.count } }

    func pings(after instant: ContinuousClock.Instant) -> Int { times.withLock { $0.filter { $0 > instant }.count } }
}

/// A probe whose answer the test switches, and which can hang like a wedged event loop.
private final class SwitchableProbe: Sendable {
    private let healthy = Atomic<Bool>(true)
    func set(_ value: Bool) { healthy.store(value, ordering: .relaxed) }

    func probe() async -> Bool {
        // A wedged thread never answers: wait (cancellably) until it is healthy again.
        while !healthy.load(ordering: .relaxed) {
            do { try await Task.sleep(for: .milliseconds(5)) } catch { return false }
        }
        return true
    }
}

@Suite struct WatchdogTests {
    let logger = Logger(label: "test")

    @Test func pingsAtHalfTheTimeout() async throws {
        let watchdog = Watchdog(timeout: .milliseconds(200))
        #expect(watchdog.pingInterval == .milliseconds(100))
        #expect(watchdog.timeoutMilliseconds == 200)
        let log = PingLog()
        let task = Task { await watchdog.run(notifier: log.notifier, logger: logger) { true } }
        try await Task.sleep(for: .milliseconds(1050))
        task.cancel()
        await task.value
        // About 10 pings in 1.05 s; scheduling on a loaded machine may cost one or two.
        #expect((7...11).contains(log.count), "\(log.count) pings")
    }

    @Test func withholdsPingsWhileTheProbeHangsAndResumesAfter() async throws {
        let watchdog = Watchdog(timeout: .milliseconds(200))
        let log = PingLog()
        let probe = SwitchableProbe()
        let clock = ContinuousClock()
        let task = Task { await watchdog.run(notifier: log.notifier, logger: logger) { await probe.probe() } }
        try await Task.sleep(for: .milliseconds(400))
        #expect(log.count >= 2)

        probe.set(false)
        // The last successful probe may still be fresh for one ping interval.
        try await Task.sleep(for: .milliseconds(150))
        let wedged = clock.now
        try await Task.sleep(for: .milliseconds(600))
        #expect(log.pings(after: wedged) == 0, "pinged while the probe was stuck")

        probe.set(true)
        let recovered = clock.now
        try await Task.sleep(for: .milliseconds(400))
        #expect(log.pings(after: recovered) >= 2, "pings did not resume")
        task.cancel()
        await task.value
    }

    @Test func failingProbeMeansNoPings() async throws {
        let log = PingLog()
        let task = Task { await Watchdog(timeout: .milliseconds(100)).run(notifier: log.notifier, logger: logger) { false } }
        try await Task.sleep(for: .milliseconds(400))
        task.cancel()
        await task.value
        #expect(log.count == 0)
    }

    @Test func noWatchdogWithoutEnvironment() {
        // The test runner is not started with WATCHDOG_USEC.
        #expect(Watchdog.fromEnvironment() == nil)
    }
}
