import Logging
import NeuroLinkAlerts
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkMetrics
import NeuroLinkProtocol
import ServiceLifecycle

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Evaluates the alert rules every `alerts.interval_ms`. A transition is logged (at the journal
/// priority of its severity), counted in the metrics and, with `alerts.webhook`, POSTed as JSON in a
/// child task with retries: neither requests nor the next evaluation wait for a delivery.
struct AlertService: Service, CustomStringConvertible {
    var description: String { "Alerts" }
    let daemon: DaemonState
    let settings: DaemonConfig.Alerts

    func run() async {
        let interval = Duration.milliseconds(settings.intervalMs)
        await withDiscardingTaskGroup { deliveries in
            while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil {
                for transition in await evaluate() {
                    report(transition)
                    if let webhook = settings.webhook {
                        deliveries.addTask { await deliver(transition, to: webhook) }
                    }
                }
            }
            // Shutting down: deliveries still retrying are abandoned.
            deliveries.cancelAll()
        }
    }

    private func evaluate() async -> [AlertEngine.Transition] {
        let status = await daemon.status()
        let breakers = (status.pools ?? []).flatMap(\.members).count { $0.breaker != "closed" }
        let gauges = AlertMonitor.Gauges(
            queueSize: status.limits?.queue.depth ?? 0,
            breakersOpen: breakers,
            analyticsDropped: daemon.analytics.status(admin: true).rowsDropped
        )
        return daemon.alerts.evaluate(now: Date().timeIntervalSince1970, gauges: gauges)
    }

    private func report(_ transition: AlertEngine.Transition) {
        let rule = transition.rule
        let level: Logger.Level =
            switch rule.severity {
            case .critical: transition.firing ? .critical : .notice
            case .warning: transition.firing ? .warning : .notice
            case .info: .info
            }
        daemon.logger.log(
            level: level,
            transition.firing ? "alert firing" : "alert resolved",
            metadata: [
                "alert": "\(rule.name)", "severity": "\(rule.severity.rawValue)", "metric": "\(rule.metric.rawValue)",
                "value": "\(transition.value.map { "\($0)" } ?? "no data")", "threshold": "\(rule.threshold)",
            ]
        )
        daemon.metrics.alertTransition(rule.name, severity: rule.severity.rawValue, firing: transition.firing)
    }

    /// POSTs the transition; network errors and 5xx are retried after 1 s, 2 s, 4 s, …
    private func deliver(_ transition: AlertEngine.Transition, to webhook: DaemonConfig.Webhook) async {
        let body = Array(WebhookPayload(transition).json.utf8)
        for attempt in 0...webhook.retries {
            if attempt > 0 {
                guard (try? await Task.sleep(for: .seconds(1 << min(attempt - 1, 6)))) != nil else { return }
            }
            let request = HTTPRequest(
                method: "POST",
                url: webhook.url,
                headers: [HTTPHeader("Content-Type", "application/json")],
                body: body,
                timeouts: TransferTimeouts(total: .milliseconds(webhook.timeoutMs))
            )
            let status: Int?
            do { status = try await daemon.http.status(of: request) } catch { status = nil }
            if let status, (200..<300).contains(status) { return }
            if let status, status < 500 {
                daemon.logger.warning("alert webhook refused the delivery", metadata: ["status": "\(status)"])
                return
            }
        }
        daemon.logger.warning(
            "alert webhook unreachable; delivery abandoned",
            metadata: ["alert": "\(transition.rule.name)", "attempts": "\(webhook.retries + 1)"]
        )
    }

}

/// The JSON body of a webhook delivery (docs/configuration.md, "alerts").
struct WebhookPayload: Encodable {
    var alert: String
    var state: String
    var severity: String
    var metric: String
    var condition: String
    var threshold: Double
    var windowMs: Int
    var value: Double?
    var at: Double
    var host: String

    init(_ transition: AlertEngine.Transition) {
        let rule = transition.rule
        alert = rule.name
        state = transition.firing ? "firing" : "resolved"
        severity = rule.severity.rawValue
        metric = rule.metric.rawValue
        condition = rule.condition.rawValue
        threshold = rule.threshold
        windowMs = rule.windowMs
        value = transition.value
        at = transition.at
        host = ProcessInfo.processInfo.hostName
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
