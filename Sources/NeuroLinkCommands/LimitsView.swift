import FoundationEssentials
import NeuroLinkProtocol

/// The human-readable `nlctl limits` text, and the one-line summary `nlctl status` shows.
struct LimitsView {
    let limits: LimitsStatus

    init(_ limits: LimitsStatus) { self.limits = limits }

    func render() -> String {
        var lines = queueLines()
        lines.append("")
        if limits.scopes.isEmpty {
            lines.append("scopes: none yet (a scope appears with its first request)")
        } else {
            lines.append("scopes:")
            let header = ["SCOPE", "RATE/S", "LEFT (OF CAPACITY)", "IN FLIGHT", "ADMITTED", "REJECTED"]
            let rows = limits.scopes.map { scope in
                [
                    scope.scope, String(cFormat: "%.1f", scope.currentRate), Self.buckets(scope.buckets),
                    "\(scope.inFlight)/\(scope.maxInFlight.map(String.init) ?? "-")", "\(scope.admitted)",
                    Self.rejections(scope.rejections),
                ]
            }
            lines += StatusView.table([header] + rows).map { "  " + $0 }
        }
        if !limits.providers.isEmpty {
            lines.append("")
            lines.append("providers' own limits:")
            let header = ["PROVIDER", "ADMISSION", "REPORTED (LEFT OF LIMIT)", "ADAPTIVE LIMIT"]
            let rows = limits.providers.map { provider in
                [
                    provider.provider, Self.pacing(provider), Self.windows(provider.reported),
                    provider.adaptiveLimit.map(String.init) ?? "-",
                ]
            }
            lines += StatusView.table([header] + rows).map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// "120 admitted, 5 rejected (requests 5), 3 in flight; queue: 2 waiting, oldest 1.5s; paused: a".
    func summary() -> String {
        // Every admitted request passes the global scope; each denial is counted at one scope only.
        let global = limits.scopes.first { $0.kind == "global" }
        var rejections: [String: Int] = [:]
        for scope in limits.scopes { rejections.merge(scope.rejections, uniquingKeysWith: +) }
        let rejected = rejections.values.reduce(0, +)
        var text = "\(global?.admitted ?? 0) admitted, \(rejected) rejected"
        if rejected > 0 { text += " (\(Self.rejections(rejections)))" }
        text += ", \(global?.inFlight ?? 0) in flight; "
        if limits.queue.strategy == "queue" {
            text += "queue: \(limits.queue.depth) waiting"
            if let oldest = limits.queue.oldestWaitMs { text += ", oldest \(Self.duration(ms: oldest))" }
        } else {
            text += "no queue (strategy \(limits.queue.strategy))"
        }
        let paused = limits.providers.filter { $0.pacing == "paused" }.map(\.provider)
        let paced = limits.providers.filter { $0.pacing == "paced" }.map(\.provider)
        if !paused.isEmpty { text += "; paused: \(paused.joined(separator: ", "))" }
        if !paced.isEmpty { text += "; paced: \(paced.joined(separator: ", "))" }
        return text
    }

    func queueLines() -> [String] {
        let queue = limits.queue
        var head = "queue: strategy \(queue.strategy)"
        if queue.strategy == "queue" {
            head += " (max \(queue.maxSize), wait up to \(Self.duration(ms: queue.maxWaitMs))): \(queue.depth) waiting"
            if let oldest = queue.oldestWaitMs { head += ", oldest for \(Self.duration(ms: oldest))" }
        }
        return [
            head,
            "       queued \(queue.queued), admitted \(queue.admitted), timed out \(queue.timedOut), "
                + "cancelled \(queue.cancelled); rejected at once \(queue.rejected), overloaded \(queue.overloaded)",
        ]
    }

    /// "requests 8/11, tokens 9000/10000", or "-" without rate or token limits.
    static func buckets(_ buckets: [LimitBucketStatus]) -> String {
        buckets.isEmpty ? "-" : buckets.map { "\($0.dimension) \($0.remaining)/\($0.capacity)" }.joined(separator: ", ")
    }

    /// "concurrency 1, requests 3" (by reason name), or "-".
    static func rejections(_ rejections: [String: Int]) -> String {
        let parts = rejections.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    static func pacing(_ provider: ProviderLimitStatus) -> String {
        switch provider.pacing {
        case "paused": "PAUSED" + (provider.pausedForMs.map { ", \(duration(ms: $0)) left" } ?? "")
        case "paced": "paced" + (provider.pacingIntervalMs.map { ", 1 per \(duration(ms: $0))" } ?? "")
        default: provider.pacing
        }
    }

    /// "requests 0/100 (resets in 42.0s), tokens 9000/-", or "-".
    static func windows(_ windows: [ProviderWindowStatus]) -> String {
        guard !windows.isEmpty else { return "-" }
        return windows.map { window in
            var text =
                "\(window.dimension) \(window.remaining.map(String.init) ?? "?")/\(window.limit.map(String.init) ?? "?")"
            if let reset = window.resetInMs { text += " (resets in \(duration(ms: reset)))" }
            return text
        }.joined(separator: ", ")
    }

    /// "250ms", "4.2s", "6m0s".
    static func duration(ms: Int) -> String {
        if ms < 1000 { return "\(ms)ms" }
        if ms < 60_000 { return String(cFormat: "%.1fs", Double(ms) / 1000) }
        return StatusView.duration(Double(ms) / 1000)
    }
}
