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

    var gaps: [Duration] { times.withLock { times in zip(times.dropFirst(), times).map { $0 - $1 } } }
}

/// A probe whose answer the test switches, and which can hang like a wedged event loop.
private final class SwitchableProbe: Sendable {
    private let healthy = Atomic<Bool>(true)
    private let stuckCalls = Atomic<Int>(0)
    func set(_ value: Bool) { healthy.store(value, ordering: .relaxed) }

    /// Whether a call found the probe unhealthy and hangs. The watchdog probes one call at a time,
    /// so from then on no earlier call can still report success.
    var isStuck: Bool { stuckCalls.load(ordering: .relaxed) > 0 }

    func probe() async -> Bool {
        if !healthy.load(ordering: .relaxed) { stuckCalls.wrappingAdd(1, ordering: .relaxed) }
        // A wedged thread never answers: wait (cancellably) until it is healthy again.
        while !healthy.load(ordering: .relaxed) {
            do { try await Task.sleep(for: .milliseconds(5)) } catch { return false }
        }
        return true
    }
}

/// Timing tests: the watchdog runs on the cooperative pool, and CPU-bound tests of other suites can
/// hold both its threads for tens of seconds, so this suite belongs to the serial group
/// (`SerialTests`) that scripts/test.sh runs alone. Even so it waits for conditions with generous
/// deadlines instead of counting pings in fixed windows. The exact cadence is measured against the
/// real daemon in the integration tests.
@Suite(.serialized) struct WatchdogSerialTests {
    let logger = Logger(label: "test")
    let clock = ContinuousClock()

    /// Polls until `condition` holds; false after `timeout`.
    private func eventually(timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws -> Bool {
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func pingsAtHalfTheTimeoutNeverFaster() async throws {
        let watchdog = Watchdog(timeout: .milliseconds(600))
        #expect(watchdog.pingInterval == .milliseconds(300))
        #expect(watchdog.timeoutMilliseconds == 600)
        let log = PingLog()
        let task = Task { await watchdog.run(notifier: log.notifier, logger: logger) { true } }
        #expect(try await eventually { log.count >= 4 }, "only \(log.count) pings")
        task.cancel()
        await task.value
        // One ping per interval at most: a stalled pinger does not burst to catch up.
        #expect(log.gaps.allSatisfy { $0 >= .milliseconds(250) }, "\(log.gaps)")
    }

    @Test func withholdsPingsWhileTheProbeHangsAndResumesAfter() async throws {
        let watchdog = Watchdog(timeout: .milliseconds(600))
        let log = PingLog()
        let probe = SwitchableProbe()
        let task = Task { await watchdog.run(notifier: log.notifier, logger: logger) { await probe.probe() } }
        #expect(try await eventually { log.count >= 2 })

        probe.set(false)
        // A probe call that began before the switch may still succeed; on a busy machine its
        // success can be recorded long after the switch. Wait until a call hangs: from then on the
        // last success is fixed.
        #expect(try await eventually { probe.isStuck }, "the probe was never called after the switch")
        // The last successful probe stays fresh for one ping interval; then the pings must stop.
        var quiet = false
        let stopDeadline = clock.now + .seconds(30)
        while !quiet, clock.now < stopDeadline {
            let before = log.count
            try await Task.sleep(for: .milliseconds(800))
            quiet = log.count == before
        }
        #expect(quiet, "pings never stopped while the probe was stuck")
        let silentFrom = clock.now
        try await Task.sleep(for: .milliseconds(1000))
        #expect(log.pings(after: silentFrom) == 0, "pinged while the probe was stuck")

        probe.set(true)
        let recovered = clock.now
        #expect(try await eventually { log.pings(after: recovered) >= 2 }, "pings did not resume")
        task.cancel()
        await task.value
    }

    @Test func failingProbeMeansNoPings() async throws {
        let log = PingLog()
        let task = Task {
            await Watchdog(timeout: .milliseconds(100)).run(notifier: log.notifier, logger: logger) { false }
        }
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
