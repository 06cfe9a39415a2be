import FoundationEssentials
import NeuroLinkProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The text of `nlctl top`: running requests, providers over the last minute, the queue, breakers
/// and firing alerts.
struct TopView {
    /// How running requests are ordered; the key that selects each.
    enum Order: Character, CaseIterable {
        case elapsed = "e"
        case rate = "r"
        case provider = "p"
        case tenant = "t"

        var name: String {
            switch self {
            case .elapsed: "elapsed"
            case .rate: "tokens/s"
            case .provider: "provider"
            case .tenant: "tenant"
            }
        }
    }

    let snapshot: TopSnapshot
    var order = Order.elapsed
    /// Most running requests listed.
    var maxStreams = 20

    func render(interactive: Bool) -> String {
        let time = Self.clockTime(snapshot.at)
        var lines = [
            "nlctl top — \(time) — \(snapshot.streams.count) running, queue \(snapshot.queueDepth)"
                + (interactive ? "   [q] quit  sort: [e]lapsed [r]ate [p]rovider [t]enant (now: \(order.name))" : ""),
            "",
        ]
        lines += streamLines()
        lines.append("")
        lines += providerLines()
        if !snapshot.breakers.isEmpty {
            lines.append("")
            lines.append(
                "breakers: "
                    + snapshot.breakers.map { "\($0.member) in \($0.pool): \($0.state)" }.joined(separator: "; ")
            )
        }
        lines.append("")
        let alerts = snapshot.firingAlerts.map { "\($0.name) (\($0.severity))" }.joined(separator: ", ")
        lines.append("alerts: " + (alerts.isEmpty ? "none firing" : "FIRING: \(alerts)"))
        return lines.joined(separator: "\n") + "\n"
    }

    private func streamLines() -> [String] {
        guard !snapshot.streams.isEmpty else { return ["no running requests"] }
        let sorted = snapshot.streams.sorted(by: ordered)
        let rows = sorted.prefix(maxStreams).map { stream in
            [
                stream.requestId, stream.method, stream.tenant,
                stream.provider.map { "\($0)/\(stream.model ?? "?")" } ?? "(waiting)",
                StatusView.duration(stream.elapsedMs / 1000), "\(stream.outputTokens)",
                stream.tokensPerSecond.map { String(cFormat: "%.1f", $0) } ?? "-",
            ]
        }
        var lines = StatusView.table(
            [["ID", "METHOD", "TENANT", "PROVIDER/MODEL", "ELAPSED", "TOKENS", "TOKENS/S"]] + rows
        )
        if sorted.count > maxStreams { lines.append("… and \(sorted.count - maxStreams) more") }
        return lines
    }

    private func providerLines() -> [String] {
        let header = ["PROVIDER", "REQ/S (\(snapshot.windowSeconds) s)", "TTFC P50", "TTFC P95", "ERRORS"]
        guard !snapshot.providers.isEmpty else { return ["no requests ended in the last \(snapshot.windowSeconds) s"] }
        let rows = snapshot.providers.map { provider in
            [
                provider.provider, String(cFormat: "%.2f", provider.requestsPerSecond),
                provider.p50FirstChunkMs.map { String(cFormat: "%.0f ms", $0) } ?? "-",
                provider.p95FirstChunkMs.map { String(cFormat: "%.0f ms", $0) } ?? "-",
                String(cFormat: "%.1f%%", provider.errorRate * 100),
            ]
        }
        return StatusView.table([header] + rows)
    }

    private func ordered(_ a: TopSnapshot.ActiveStream, _ b: TopSnapshot.ActiveStream) -> Bool {
        switch order {
        case .elapsed: a.elapsedMs > b.elapsedMs
        case .rate: (a.tokensPerSecond ?? -1) > (b.tokensPerSecond ?? -1)
        case .provider: (a.provider ?? "~", a.elapsedMs) < (b.provider ?? "~", b.elapsedMs)
        case .tenant: (a.tenant, a.elapsedMs) < (b.tenant, b.elapsedMs)
        }
    }

    /// `seconds` (Unix time) as the local wall-clock time, `HH:MM:SS`, from the C library's time zone
    /// (`TZ`, `/etc/localtime`).
    static func clockTime(_ seconds: Double) -> String {
        var parts = tm()
        guard var time = time_t(exactly: seconds.rounded(.down)), localtime_r(&time, &parts) != nil else {
            return "--:--:--"
        }
        return String(cFormat: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
