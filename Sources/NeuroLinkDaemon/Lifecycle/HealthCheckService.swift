import NeuroLinkCore
import ServiceLifecycle

/// Runs the active health checks of every pool member, round after round, on the configuration
/// generation current at the start of each round (a reload is picked up by the next round).
struct HealthCheckService: Service, CustomStringConvertible {
    var description: String { "HealthCheck" }
    let daemon: DaemonState
    /// How long to look again when active checks are off, so that a reload turning them on is seen.
    var idlePoll: Duration = .seconds(5)

    func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let checker = HealthChecker(pipeline: daemon.current)
                guard let interval = checker.interval else {
                    try await Task.sleep(for: idlePoll)
                    continue
                }
                await checker.runRound()
                try await Task.sleep(for: interval)
            }
        }
    }
}
