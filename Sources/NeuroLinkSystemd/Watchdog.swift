import CSystemd
import Logging
import NeuroLinkBasics
import Synchronization

/// The service manager's watchdog (`WatchdogSec=`): the process must send `WATCHDOG=1` more often
/// than ``timeout`` or it is considered hung and killed.
///
/// Keep-alives are sent at half the timeout, but only while a caller-supplied probe keeps
/// proving that the process really works. A bare timer would keep pinging from a healthy thread
/// while the threads that serve clients are wedged, defeating the watchdog.
public struct Watchdog: Sendable {
    /// How long the service manager waits for a keep-alive.
    public let timeout: Duration

    /// How often keep-alives are sent: half the timeout, as `sd_watchdog_enabled(3)` advises.
    public var pingInterval: Duration { timeout / 2 }

    /// A watchdog with the given timeout.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// The watchdog the service manager configured for this process (`WATCHDOG_USEC`, honouring
    /// `WATCHDOG_PID`), or `nil` when there is none.
    public static func fromEnvironment() -> Watchdog? {
        var usec: UInt64 = 0
        // 0: keep the variables; unsetting the environment would race with other threads.
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Watchdog(timeout: .microseconds(Int64(clamping: usec)))
    }

    /// Sends `WATCHDOG=1` every ``pingInterval`` for as long as `probe` has succeeded within the last
    /// ``pingInterval``; returns when the calling task is cancelled.
    ///
    /// `probe` runs on its own child task twice per ping interval. It should exercise the threads
    /// that do the work (for example, schedule a no-op on each event loop) and return `false`, or
    /// simply not return, when they do not answer. While it is stuck no keep-alive is sent, so the
    /// service manager restarts the process. A probe that never returns also delays this method's
    /// return after cancellation until it does.
    public func run(notifier: Notifier, logger: Logger, probe: @escaping @Sendable () async -> Bool) async {
        let heartbeat = Heartbeat()
        let interval = pingInterval
        let clock = ContinuousClock()
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    if await probe() { heartbeat.beat(at: clock.now) }
                    do { try await Task.sleep(for: interval / 2) } catch { return }
                }
            }
            var stalled = false
            while true {
                // A fixed sleep rather than a fixed schedule: after a stall the pings do not bunch up
                // to catch up, and the slight drift is far inside the timeout's second half.
                do { try await Task.sleep(for: interval) } catch { break }
                let now = clock.now
                if let last = heartbeat.last, now - last <= interval {
                    notifier.notify(.watchdog)
                    if stalled {
                        stalled = false
                        logger.notice("watchdog: the daemon answers again; keep-alives resumed")
                    }
                } else if !stalled, heartbeat.last != nil {
                    stalled = true
                    logger.critical(
                        "watchdog: the daemon stopped answering its liveness probe; withholding keep-alives",
                        metadata: ["watchdog_timeout_ms": "\(Self.milliseconds(timeout))"]
                    )
                }
            }
            group.cancelAll()
        }
    }
}

/// When the liveness probe last succeeded.
private final class Heartbeat: Sendable {
    private let instant = Mutex<ContinuousClock.Instant?>(nil)

    func beat(at now: ContinuousClock.Instant) { instant.withLock { $0 = now } }
    var last: ContinuousClock.Instant? { instant.withLock { $0 } }
}

extension Watchdog {
    /// Whole milliseconds of `duration`, rounded down (saturating: `WATCHDOG_USEC` comes from outside).
    static func milliseconds(_ duration: Duration) -> Int64 {
        Int64(duration.wholeMilliseconds(rounding: .down))
    }

    /// ``timeout`` in whole milliseconds.
    public var timeoutMilliseconds: Int64 { Self.milliseconds(timeout) }
}
