import ArgumentParser
import FoundationEssentials
import NeuroLinkProtocol

/// Output formats of `stream` and `generate`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// The options `stream` and `generate` share.
struct RequestOptions: ParsableArguments {
    @Argument(help: "The prompt; '-' or nothing reads it from standard input.")
    var prompt: String?

    @OptionGroup var defaults: RequestDefaults
    @Option(name: .long, help: "Output format: text or json (one JSON object per line).") var format: OutputFormat =
        .text
    @Flag(name: .long, help: "Show the provider and model used, timings and usage on stderr.") var debug = false
    @Flag(name: .long, help: "Ask for analytics; print a one-line summary on stderr at the end.")
    var enableAnalytics = false
    @Flag(name: .long, help: "After the answer, have a judge model score it; print the scores on stderr.")
    var enableEvaluation = false
    @Option(name: .long, help: "Remember the conversation under this session id (context.sessionId + memory).")
    var session: String?
    @Option(name: .long, help: "The judge's point of view, e.g. \"Senior Developer\" (implies --enable-evaluation).")
    var evaluationDomain: String?

    /// The request, reading the prompt from stdin when asked to.
    func makeRequest() throws -> StreamRequest {
        var text = prompt
        if text == nil || text == "-" {
            guard !Terminal.stdinIsTerminal || text == "-" else {
                throw ValidationError("give a prompt, or pipe one on standard input")
            }
            text = Terminal.readStandardInput()
        }
        guard let text, !text.trimmed().isEmpty else {
            throw ValidationError("the prompt is empty")
        }
        var request = try defaults.request(prompt: text)
        if enableAnalytics { request.enableAnalytics = true }
        if enableEvaluation || evaluationDomain != nil { request.enableEvaluation = true }
        request.evaluationDomain = evaluationDomain
        if let session { request.remember(session: session) }
        return request
    }
}

enum JSONLines {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func line(_ value: some Encodable) -> String {
        ((try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }

    struct Tagged<Value: Encodable>: Encodable {
        var type: String
        var result: Value?
        var error: Value?
    }
}

enum AnalyticsSummary {
    /// `analytics: openai/gpt-4o-mini · first chunk 412 ms · 2.21 s · 61.4 tokens/s · 402 in / 135 out · $0.000141`
    static func line(_ analytics: ResultAnalytics) -> String {
        var parts = ["analytics: \(analytics.provider)/\(analytics.model)"]
        if let first = analytics.timeToFirstChunkMs { parts.append(String(cFormat: "first chunk %.0f ms", first)) }
        parts.append(String(cFormat: "%.2f s", analytics.durationMs / 1000))
        if let rate = analytics.tokensPerSecond { parts.append(String(cFormat: "%.1f tokens/s", rate)) }
        if let usage = analytics.usage {
            let estimated = usage.estimated == true ? " (estimated)" : ""
            parts.append("\(usage.inputTokens) in / \(usage.outputTokens) out\(estimated)")
        }
        parts.append(analytics.cost.map { String(cFormat: "$%.6f", $0) } ?? "cost unknown")
        return parts.joined(separator: " · ")
    }

    /// `[analytics] 1.0 s · 48 tokens · 52.3 tokens/s`, for `--debug`.
    static func live(_ figures: LiveAnalytics) -> String {
        var line = String(cFormat: "[analytics] %.1f s · %ld tokens", figures.elapsedMs / 1000, figures.outputTokens)
        if let rate = figures.tokensPerSecond { line += String(cFormat: " · %.1f tokens/s", rate) }
        return line
    }
}

enum EvaluationSummary {
    /// `evaluation: 8/10 · relevance 9 · accuracy 8 · completeness 7 · judge openai/gpt-4o-mini — <reason>`,
    /// or `evaluation failed: <why>`; `nil` when the request asked for none.
    static func line(_ evaluation: Evaluation?, error: String?) -> String? {
        if let error { return "evaluation failed: \(error)" }
        guard let e = evaluation else { return nil }
        return "evaluation: \(e.overall)/10 · relevance \(e.relevance) · accuracy \(e.accuracy) · "
            + "completeness \(e.completeness) · judge \(e.judge) — \(e.reason)"
    }
}

enum DebugOutput {
    static func route(_ route: RouteInfo?) -> String {
        guard let route else { return "" }
        let skipped = route.skipped.map { "\($0.provider): \($0.reason)" }.joined(separator: "; ")
        var text =
            "\n[debug] route: requested \(route.requested); \(route.reason)"
            + (skipped.isEmpty ? "" : "; skipped \(skipped)")
        if let pool = route.pool {
            text += "\n[debug] pool: \(pool), strategy \(route.strategy ?? "?"), member \(route.member ?? "-")"
        }
        if let attempts = route.attempts {
            let list = attempts.enumerated().map { index, attempt in
                "\(index + 1). \(attempt.member): \(attempt.outcome)" + (attempt.waitMs.map { " after \($0) ms" } ?? "")
            }
            text += "\n[debug] attempts: " + list.joined(separator: "; ")
        }
        return text
    }

    static func print(_ result: StreamResult) throws(OutputClosed) {
        let usage =
            result.usage.map { "in \($0.inputTokens), out \($0.outputTokens), total \($0.totalTokens)" }
            ?? "not reported"
        let ttfc = result.timings.timeToFirstChunkMs.map { String(cFormat: "%.1f ms", $0) } ?? "-"
        try Terminal.standardError(
            """
            [debug] provider: \(result.provider), model: \(result.model)\(route(result.route))
            [debug] finish: \(result.finishReason), chunks: \(result.chunks), usage: \(usage)
            [debug] time to first chunk: \(ttfc), duration: \(String(cFormat: "%.1f ms", result.timings.durationMs))
            """
        )
        if let cache = result.cache {
            let age = cache.ageMs.map { String(cFormat: ", %.0f s old", $0 / 1000) } ?? ""
            let stored = cache.stored == true ? ", stored" : ""
            try Terminal.standardError(
                "[debug] cache: \(cache.status)\(age)\(stored)\(cache.key.map { ", key \($0)" } ?? "")"
            )
        }
    }
}
