import Foundation

/// The comparison's table: one column per target, the added figures against the direct column,
/// and the two targets the HTTP front issue sets.
extension FrontComparison {
    /// Most added latency (p50, non-streamed) the front may cost.
    static let addedLatencyTarget = 500.0
    /// How many times LiteLLM's request rate the front must reach.
    static let rateRatioTarget = 20.0

    static func markdown(_ result: Result) -> [String] {
        let targets = [result.direct, result.neurolinkd] + (result.litellm.map { [$0] } ?? [])
        let settings = result.settings
        var lines = [
            "",
            "### HTTP front side by side with LiteLLM",
            "",
            "Same loopback upstream (an 8-piece answer, no delay) and the same load generator (libcurl multi, "
                + "keep-alive) for every column; \(settings.sequential) sequential requests after "
                + "\(settings.warmup) warm-up for latencies, \(Int(settings.rateDuration.seconds)) s per rate. "
                + "LiteLLM: \(result.litellmVersion.map { "litellm[proxy] \($0)" } ?? "not run (no --litellm)"), "
                + "one worker, LITELLM_LOG=ERROR.",
            "",
            "| | " + targets.map(\.name).joined(separator: " | ") + " |",
            "| --- |" + String(repeating: " --- |", count: targets.count),
        ]
        func row(_ label: String, _ cell: (Target) -> String) {
            lines.append("| \(label) | " + targets.map(cell).joined(separator: " | ") + " |")
        }
        row("Non-streamed latency p50 / p99") { "\(us($0.latency.p50)) / \(us($0.latency.p99))" }
        row("**Added latency** p50 / p99") { target in
            target.name == result.direct.name
                ? ""
                : "\(us(target.latency.p50 - result.direct.latency.p50)) / "
                    + us(target.latency.p99 - result.direct.latency.p99)
        }
        row("Streamed, first token p50 / p99") { "\(us($0.ttft.p50)) / \(us($0.ttft.p99))" }
        row("**Added time to first token** p50") { target in
            target.name == result.direct.name ? "" : us(target.ttft.p50 - result.direct.ttft.p50)
        }
        for stream in [false, true] {
            for concurrency in settings.concurrencies {
                let key = Target.Key(stream: stream, concurrency: concurrency)
                row("Requests/s, \(stream ? "streamed" : "non-streamed"), concurrency \(concurrency)") { target in
                    guard let rate = target.rates[key] else { return "" }
                    return "\(Int(rate.perSecond.rounded()).formatted())"
                        + (rate.failed > 0 ? " (\(rate.failed) failed)" : "")
                }
            }
        }
        for stream in [false, true] {
            let levels = settings.concurrencies.map(String.init).joined(separator: " / ")
            row("CPU per request, \(stream ? "streamed" : "non-streamed"), concurrency \(levels)") { target in
                let cells = settings.concurrencies.compactMap {
                    target.cpuPerRequestUs[Target.Key(stream: stream, concurrency: $0)].map(us)
                }
                return cells.joined(separator: " / ")
            }
        }
        row("RSS idle / under load (peak)") { target in
            guard let idle = target.idleRSSKiB else { return "" }
            return "\(mib(idle)) / \(target.loadRSSKiB.map(mib) ?? "?")"
        }
        row("Start → ready (median of launches)") { target in
            target.readyMs.isEmpty ? "" : "\(fmt(Percentiles(target.readyMs).p50)) ms (\(target.readyMs.count))"
        }
        lines += verdicts(result)
        return lines
    }

    private static func verdicts(_ result: Result) -> [String] {
        let added = result.neurolinkd.latency.p50 - result.direct.latency.p50
        var lines = [
            "",
            "- Added latency p50 (non-streamed) \(us(added)): target ≤ \(us(addedLatencyTarget)): "
                + (added <= addedLatencyTarget ? "PASS" : "**MISS**"),
        ]
        guard let litellm = result.litellm else { return lines }
        for stream in [false, true] {
            let ratios = result.settings.concurrencies.map { concurrency -> String in
                let key = Target.Key(stream: stream, concurrency: concurrency)
                let ours = result.neurolinkd.rates[key]?.perSecond ?? 0
                let theirs = litellm.rates[key]?.perSecond ?? 0
                let ratio = theirs > 0 ? ours / theirs : .infinity
                return "c=\(concurrency) ×\(fmt(ratio)) \(ratio >= rateRatioTarget ? "PASS" : "**MISS**")"
            }
            lines.append(
                "- Requests/s against LiteLLM, \(stream ? "streamed" : "non-streamed") (target ≥ ×\(fmt(rateRatioTarget, 0))): "
                    + ratios.joined(separator: ", ")
            )
        }
        return lines
    }

    private static func us(_ value: Double) -> String {
        abs(value) >= 1000 ? "\(fmt(value / 1000, 2)) ms" : "\(fmt(value, 0)) µs"
    }

    private static func mib(_ kib: Int) -> String { "\(fmt(Double(kib) / 1024)) MiB" }
}
