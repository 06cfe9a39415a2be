import NeuroLinkSystemd
import ServiceLifecycle

/// Keeps systemd's `STATUS=` current until the process stops (the RPC server sends `READY=1`
/// once its socket accepts connections).
///
/// Listed before the HTTP engine and the RPC server in the service group, so it is shut down after
/// them: it keeps reporting the drain ("draining: 3 requests still running") while the RPC server
/// finishes.
struct StatusReporterService: Service, CustomStringConvertible {
    var description: String { "StatusReporter" }
    let daemon: DaemonState
    var refresh: Duration = .seconds(2)

    func run() async {
        let first = daemon.statusLine
        guard daemon.supervision.notifier.isEnabled else {
            try? await gracefulShutdown()
            return
        }
        let daemon = self.daemon
        let refresh = self.refresh
        // Cancelled (rather than stopped) on graceful shutdown: by then every other service has
        // finished, so there is nothing left to report.
        try? await cancelWhenGracefulShutdown {
            var last = first
            while !Task.isCancelled {
                try await Task.sleep(for: refresh)
                let line = daemon.statusLine
                if line != last {
                    daemon.supervision.status(line)
                    last = line
                }
            }
        }
    }
}
