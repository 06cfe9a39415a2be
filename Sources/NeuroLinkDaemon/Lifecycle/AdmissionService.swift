import NeuroLinkCore
import ServiceLifecycle

/// Lets queued requests in as rate-limit buckets refill and times out those that waited too long.
/// Releases pump the queue at once; this timer covers what no release announces (a refill, a
/// provider's reset time, a queue deadline). It sleeps while nothing is queued.
struct AdmissionService: Service, CustomStringConvertible {
    var description: String { "Admission" }
    let daemon: DaemonState
    var tick: Duration = .milliseconds(10)

    func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Asleep while nothing is queued, so idle daemons do not wake for it.
                await daemon.admission.waitForQueuedRequest()
                try await Task.sleep(for: tick)
                if daemon.admission.hasWaiting { await daemon.admission.pump() }
            }
        }
    }
}
