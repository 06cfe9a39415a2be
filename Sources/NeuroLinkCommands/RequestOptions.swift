import ArgumentParser
import Foundation
import NeuroLinkProtocol

/// Output formats of `stream` and `generate`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// The options `stream` and `generate` share.
struct RequestOptions: ParsableArguments {
    @Argument(help: "The prompt; '-' or nothing reads it from standard input.")
    var prompt: String?

    @Option(name: [.short, .long], help: "A configured provider name, or 'auto'.") var provider: String?
    @Option(name: [.short, .long], help: "Model (default: the provider's default_model).") var model: String?
    @Option(name: .long, help: "Largest number of tokens to generate.") var maxTokens: Int?
    @Option(name: [.short, .long], help: "Sampling temperature, 0 to 2.") var temperature: Double?
    @Option(name: [.short, .long], help: "System prompt.") var system: String?
    @Option(name: .long, help: "Total time allowed: 30s, 2m, 1500ms; a bare number is seconds.") var timeout: String?
    @Option(name: .long, help: "Caller context as a JSON object, e.g. '{\"userId\":\"u1\"}'.") var context: String?
    @Option(name: .long, help: "Output format: text or json (one JSON object per line).") var format: OutputFormat =
        .text
    @Flag(name: .long, help: "Show the provider and model used, timings and usage on stderr.") var debug = false

    func validate() throws {
        if let timeout, DurationParsing.milliseconds(timeout) == nil {
            throw ValidationError("--timeout must look like 30s, 2m, 1500ms or a number of seconds, not '\(timeout)'")
        }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if let temperature, !(0...2).contains(temperature) {
            throw ValidationError("--temperature must be between 0 and 2")
        }
        if let context { _ = try parsedContext(context) }
    }

    private func parsedContext(_ text: String) throws -> [String: JSONValue] {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
            let object = value.objectValue
        else {
            throw ValidationError("--context must be a JSON object, e.g. '{\"userId\":\"u1\"}'")
        }
        return object
    }

    /// The request, reading the prompt from stdin when asked to.
    func makeRequest() throws -> StreamRequest {
        var text = prompt
        if text == nil || text == "-" {
            guard !Terminal.stdinIsTerminal || text == "-" else {
                throw ValidationError("give a prompt, or pipe one on standard input")
            }
            text = Terminal.readStandardInput()
        }
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("the prompt is empty")
        }
        return StreamRequest(
            prompt: text,
            provider: provider,
            model: model,
            maxTokens: maxTokens,
            temperature: temperature,
            systemPrompt: system,
            timeoutMs: timeout.flatMap(DurationParsing.milliseconds),
            context: try context.map(parsedContext)
        )
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
        let ttfc = result.timings.timeToFirstChunkMs.map { String(format: "%.1f ms", $0) } ?? "-"
        try Terminal.standardError(
            """
            [debug] provider: \(result.provider), model: \(result.model)\(route(result.route))
            [debug] finish: \(result.finishReason), chunks: \(result.chunks), usage: \(usage)
            [debug] time to first chunk: \(ttfc), duration: \(String(format: "%.1f ms", result.timings.durationMs))
            """
        )
    }
}
