import Logging
import NIOCore
import NeuroLinkHTTP
import NeuroLinkSystemd
import ServiceLifecycle

/// Sends watchdog keep-alives while the daemon proves it is alive.
///
/// Listed first in the service group, so it is shut down last and keeps pinging through the
/// drain, which may take longer than half of `WatchdogSec=`.
struct WatchdogService: Service, CustomStringConvertible {
    var description: String { "Watchdog" }
    let watchdog: Watchdog
    let daemon: DaemonState
    let probe: LivenessProbe

    func run() async {
        let watchdog = self.watchdog
        let daemon = self.daemon
        let probe = self.probe
        daemon.logger.info(
            "watchdog enabled",
            metadata: [
                "watchdog_timeout_ms": "\(watchdog.timeoutMilliseconds)",
                "keepalive_interval_ms": "\(watchdog.timeoutMilliseconds / 2)",
            ]
        )
        await cancelWhenGracefulShutdown {
            await watchdog.run(notifier: daemon.supervision.notifier, logger: daemon.logger) { await probe.check() }
        }
    }
}

/// Proof of life for the watchdog: every NIO event loop runs a task, and the curl loop thread
/// answers a ping. Either one being wedged makes the probe hang, which withholds keep-alives.
struct LivenessProbe: Sendable {
    let eventLoops: any EventLoopGroup
    let http: CurlLoop

    func check() async -> Bool {
        for loop in eventLoops.makeIterator() {
            do { try await loop.submit {}.get() } catch { return false }
        }
        return await http.ping()
    }
}
