import Foundation
import Logging
import NeuroLinkCore
import NeuroLinkHTTP
import ServiceLifecycle

/// Pushes the metrics to a Prometheus Pushgateway every `metrics.pushgateway.interval_ms`, through
/// the shared curl loop, and once more on shutdown. A failed push is logged (once per run of
/// failures) and simply tried again at the next interval: requests never wait for it.
struct PushgatewayService: Service, CustomStringConvertible {
    var description: String { "Pushgateway" }
    let gateway: DaemonConfig.Pushgateway
    let daemon: DaemonState

    /// `<url>/metrics/job/<job>/instance/<instance>`.
    var target: String {
        let instance = gateway.instance ?? ProcessInfo.processInfo.hostName
        let safe = instance.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "neurolinkd"
        return "\(gateway.url)/metrics/job/\(gateway.job)/instance/\(safe)"
    }

    func run() async {
        var failing = false
        let interval = Duration.milliseconds(gateway.intervalMs)
        while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil {
            failing = await push(after: failing)
        }
        // The last figures, taken after the drain.
        _ = await push(after: failing)
    }

    /// Pushes once; returns whether it failed.
    private func push(after failing: Bool) async -> Bool {
        let request = HTTPRequest(
            method: "PUT",
            url: target,
            headers: [HTTPHeader("Content-Type", "text/plain; version=0.0.4")],
            body: Array(await daemon.metricsText().utf8),
            timeouts: TransferTimeouts(connect: .seconds(5), total: .seconds(10))
        )
        let problem: String?
        do {
            let status = try await daemon.http.status(of: request)
            problem = (200..<300).contains(status) ? nil : "the gateway answered HTTP \(status)"
        } catch {
            problem = "\(error)"
        }
        if let problem, !failing {
            daemon.logger.warning("metrics push failed", metadata: ["url": "\(target)", "error": "\(problem)"])
        } else if problem == nil, failing {
            daemon.logger.notice("metrics push works again", metadata: ["url": "\(target)"])
        }
        return problem != nil
    }

}
