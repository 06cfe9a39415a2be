import NeuroLinkProtocol
import NeuroLinkSystemd

#if canImport(Glibc)
import Glibc
#endif

/// What systemd set up for this process, detected once at start, and the state changes the daemon
/// reports to it. Outside systemd every notification is a no-op.
struct Supervision: Sendable {
    let notifier: Notifier
    let watchdog: Watchdog?
    let socketActivated: Bool
    let journal: Bool
    let invocationID: String?

    /// Reads the environment systemd gives a service. `socketActivated` is decided by the caller,
    /// which takes the passed socket (see ``Listening``).
    static func detect(environment: [String: String], socketActivated: Bool, journal: Bool) -> Supervision {
        Supervision(
            notifier: .systemd(environment: environment),
            watchdog: Watchdog.fromEnvironment(),
            socketActivated: socketActivated,
            journal: journal,
            invocationID: environment["INVOCATION_ID"].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// No service manager: what tests and hand-started daemons see.
    static let unsupervised = Supervision(
        notifier: .disabled,
        watchdog: nil,
        socketActivated: false,
        journal: false,
        invocationID: nil
    )

    var status: SystemdStatus {
        SystemdStatus(
            supervised: notifier.isEnabled || invocationID != nil || socketActivated,
            notify: notifier.isEnabled,
            socketActivated: socketActivated,
            watchdogTimeoutMs: watchdog.map { Int($0.timeoutMilliseconds) },
            journal: journal,
            invocationId: invocationID
        )
    }

    // MARK: State changes

    /// The socket accepts connections: `READY=1`, with our pid as the main pid (systemd cannot
    /// always tell, e.g. when started through a wrapper).
    func ready(_ status: String) {
        notifier.notify(.ready, .mainPID(getpid()), .status(status))
    }

    /// A SIGHUP reload has begun; systemd shows the unit as "reloading" until ``reloaded(_:)``.
    func reloading() {
        notifier.notify(
            .reloading(monotonicMicroseconds: Self.monotonicMicroseconds()),
            .status("reloading configuration")
        )
    }

    /// The reload ended (applied or rejected); the daemon serves again either way.
    func reloaded(_ status: String) {
        notifier.notify(.ready, .status(status))
    }

    /// Graceful shutdown has begun.
    func stopping(_ status: String) {
        notifier.notify(.stopping, .status(status))
    }

    /// A new one-line status for `systemctl status`.
    func status(_ text: String) {
        notifier.notify(.status(text))
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock `RELOADING=1`'s `MONOTONIC_USEC=` refers to.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}
