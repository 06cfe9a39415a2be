import FoundationEssentials
import NeuroLinkProtocol

/// The human-readable `nlctl status` text.
struct StatusView {
    let status: StatusResult

    init(_ status: StatusResult) { self.status = status }

    func render() -> String {
        let t = status.totals
        var lines = [
            "neurolinkd \(status.version) (protocol \(status.protocolVersion)), pid \(status.pid), up \(Self.duration(status.uptimeSeconds))",
            "socket:    \(status.socketPath)",
            "config:    \(status.configPath ?? "none (environment defaults)")",
            "streams:   \(status.activeStreams) active on \(status.activeConnections) connection(s)",
            "totals:    \(t.requests) requests: \(t.succeeded) ok, \(t.failed) failed, \(t.cancelled) cancelled; \(t.chunks) chunks; tokens in \(t.inputTokens) / out \(t.outputTokens)",
        ]
        if let buffers = status.streamBuffers {
            lines.append(
                "buffers:   \(Self.bytes(buffers.bufferedBytes)) held for slow clients (budget \(Self.bytes(buffers.budgetBytes)), "
                    + "peak \(Self.bytes(buffers.peakBufferedBytes))); \(buffers.pausedTransfers) paused, "
                    + "\(buffers.pausedTimeouts) ended for not reading"
            )
        }
        if let systemd = status.systemd {
            lines.append("systemd:   \(Self.systemd(systemd))")
        }
        if let reload = status.lastReload {
            let when = Date(timeIntervalSince1970: reload.at).formatted(.iso8601)
            lines.append("reload:    \(when) \(reload.ok ? "ok" : "REJECTED")\(reload.message.map { ": \($0)" } ?? "")")
        } else {
            lines.append("reload:    none since start")
        }
        if let limits = limitsLine() { lines.append(limits) }
        if let analytics = status.analytics {
            lines.append(
                analytics.enabled
                    ? "analytics: \(analytics.error.map { "UNAVAILABLE: \($0)" } ?? "\(analytics.rowsWritten) rows written, \(analytics.rowsDropped) dropped, \(analytics.rowsQueued) queued")"
                    : "analytics: disabled"
            )
        }
        if let servers = status.mcp, !servers.isEmpty {
            lines.append("mcp:       " + servers.map(Self.mcp).joined(separator: "; "))
        }
        if let alerts = status.alerts, !alerts.isEmpty {
            lines.append("alerts:    " + Self.alerts(alerts, all: false).trimmed(while: \.isNewline))
        }
        lines.append("")
        lines.append("providers (default: \(status.defaultProvider ?? "auto")):")
        let header = ["NAME", "TYPE", "HOST", "CREDENTIALS", "DEFAULT MODEL"]
        let rows = status.providers.map {
            [
                $0.name, $0.type, $0.host,
                "\($0.credentialSource) \($0.hasCredentials ? "(found)" : $0.credentialSource == "none" ? "" : "(MISSING)")",
                $0.defaultModel ?? "-",
            ]
        }
        if rows.isEmpty {
            lines.append(
                "  none configured: set OPENAI_API_KEY or NEUROLINK_OPENAI_COMPATIBLE_BASE_URL, or write a config file"
            )
        } else {
            lines += Self.table([header] + rows).map { "  " + $0 }
        }
        lines += poolLines()
        return lines.joined(separator: "\n")
    }

    /// Every pool and member: health, breaker, in-flight, latency, error rate, throughput, last error.
    func poolLines() -> [String] {
        guard let pools = status.pools, !pools.isEmpty else { return [] }
        var lines: [String] = []
        if let budget = status.retryBudget {
            lines += [
                "",
                "retry budget: \(budget.retries) retries for \(budget.requests) requests in the window, \(budget.available) available",
            ]
        }
        for pool in pools {
            lines.append("")
            lines.append(
                pool.configured ? "pool \(pool.name) (\(pool.strategy)):" : "provider \(pool.name) (direct requests):"
            )
            let header = [
                "MEMBER", "HEALTH", "BREAKER", "IN FLIGHT", "LATENCY", "ERRORS", "TOKENS/S", "REQUESTS", "LAST ERROR",
            ]
            let rows = pool.members.map { member -> [String] in
                var breaker = member.breaker
                if let ms = member.breakerOpenForMs { breaker += " \(Self.milliseconds(ms)) left" }
                if member.breakerTrips > 0 { breaker += " (\(member.breakerTrips) trips)" }
                return [
                    member.member, member.healthy ? "healthy" : "UNHEALTHY", breaker, "\(member.inFlight)",
                    member.latencyMs.map { String(cFormat: "%.0f ms", $0) } ?? "-",
                    String(cFormat: "%.1f%%", member.errorRatePct),
                    member.throughputTps.map { String(cFormat: "%.1f", $0) } ?? "-", "\(member.requests)",
                    member.lastError ?? "-",
                ]
            }
            lines += Self.table([header] + rows).map { "  " + $0 }
            for member in pool.members where !member.healthy {
                if let detail = member.healthDetail { lines.append("  \(member.member): \(detail)") }
            }
        }
        return lines
    }

    /// One line on rate limits and the admission queue; `nlctl limits` shows the detail.
    func limitsLine() -> String? {
        status.limits.map { "limits:    " + LimitsView($0).summary() + "; details: nlctl limits" }
    }

    /// One MCP server on the `mcp:` line: `name ready (4 tools)`, or its state and last error.
    static func mcp(_ server: MCPServerStatus) -> String {
        let restarts = server.restarts > 0 ? ", \(server.restarts) restarts" : ""
        guard server.state == "ready" else {
            return "\(server.name) \(server.state.uppercased())\(restarts)" + (server.lastError.map { ": \($0)" } ?? "")
        }
        return "\(server.name) ready (\(server.tools) tools\(restarts))"
    }

    /// `nlctl alerts` (every rule, a table) or the `alerts:` line of `nlctl status` (the firing ones).
    static func alerts(_ alerts: [AlertStatus], all: Bool) -> String {
        let firing = alerts.filter { $0.state == "firing" }
        guard all else {
            let names = firing.map { "\($0.name) (\($0.severity))" }.joined(separator: ", ")
            return firing.isEmpty ? "none firing of \(alerts.count)" : "FIRING: \(names)"
        }
        guard !alerts.isEmpty else { return "no alert rules configured (alerts.rules)\n" }
        let header = ["NAME", "STATE", "SEVERITY", "METRIC", "VALUE", "THRESHOLD", "WINDOW", "SINCE", "FIRED"]
        let rows = alerts.map { alert in
            [
                alert.name, alert.state.uppercased(), alert.severity, alert.metric,
                alert.value.map { String(cFormat: "%.4g", $0) } ?? "-",
                "\(alert.condition == "below" ? "<" : ">") \(String(cFormat: "%.4g", alert.threshold))",
                duration(Double(alert.windowMs) / 1000),
                alert.since.map { Date(timeIntervalSince1970: $0).formatted(.iso8601) } ?? "-", "\(alert.fired)",
            ]
        }
        return table([header] + rows).joined(separator: "\n") + "\n"
    }

    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0 + String(repeating: " ", count: max(0, $1 - $0.count)) }.joined(separator: "  ")
                .trimmed(while: \.isBlank)
        }
    }

    /// "yes, socket-activated, watchdog 30s (keep-alive every 15s), logging to the journal", or "no".
    static func systemd(_ systemd: SystemdStatus) -> String {
        guard systemd.supervised else { return "no (started by hand)" }
        var parts = ["yes", systemd.socketActivated ? "socket-activated" : "not socket-activated"]
        if let timeout = systemd.watchdogTimeoutMs {
            parts.append("watchdog \(milliseconds(timeout)) (keep-alive every \(milliseconds(timeout / 2)))")
        } else {
            parts.append("no watchdog")
        }
        if !systemd.notify { parts.append("no readiness notification") }
        if systemd.journal { parts.append("logging to the journal") }
        if let invocation = systemd.invocationId { parts.append("invocation \(invocation)") }
        return parts.joined(separator: ", ")
    }

    static func bytes(_ count: Int) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1 << 20 { return "\(count / 1024) KiB" }
        return String(cFormat: "%.1f MiB", Double(count) / Double(1 << 20))
    }

    static func milliseconds(_ ms: Int) -> String {
        ms % 1000 == 0 ? duration(Double(ms / 1000)) : "\(ms)ms"
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60)s" }
        return "\(total / 3600)h\((total % 3600) / 60)m"
    }
}
