import ArgumentParser
import FoundationEssentials
import NeuroLinkProtocol

/// The request options that shape any prompt: `stream` and `generate` apply them to their one
/// prompt, `batch` to each plain-prompt line, `chat` to every turn.
struct RequestDefaults: ParsableArguments {
    @Option(name: [.short, .long], help: "A configured provider name, or 'auto'.") var provider: String?
    @Option(name: [.short, .long], help: "Model (default: the provider's default_model).") var model: String?
    @Option(name: .long, help: "Largest number of tokens to generate.") var maxTokens: Int?
    @Option(name: [.short, .long], help: "Sampling temperature, 0 to 2.") var temperature: Double?
    @Option(name: [.short, .long], help: "System prompt.") var system: String?
    @Option(name: .long, help: "Total time allowed: 30s, 2m, 1500ms; a bare number is seconds.") var timeout: String?
    @Option(name: .long, help: "Caller context as a JSON object, e.g. '{\"userId\":\"u1\"}'.") var context: String?
    @Flag(name: .long, help: "Offer the model the daemon's tools (nlctl tools list); it runs the ones called.")
    var enableTools = false
    @Option(name: .long, help: "A daemon tool to offer the model (repeatable); see nlctl tools list.")
    var tool: [String] = []
    @Option(name: .long, help: "Most model turns the tool loop takes (1-50; default: the daemon's tools.max_steps).")
    var maxSteps: Int?
    @Flag(name: .long, help: "Neither use nor fill the response cache for this request.") var noCache = false
    @Flag(name: .long, help: "Do not use the response cache's answer, but store the new one.") var refreshCache = false

    func validate() throws {
        if let timeout, DurationParsing.milliseconds(timeout) == nil {
            throw ValidationError("--timeout must look like 30s, 2m, 1500ms or a number of seconds, not '\(timeout)'")
        }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if let temperature, !(0...2).contains(temperature) {
            throw ValidationError("--temperature must be between 0 and 2")
        }
        if let context { _ = try parsedContext(context) }
        if noCache && refreshCache { throw ValidationError("--no-cache and --refresh-cache exclude each other") }
    }

    private func parsedContext(_ text: String) throws -> [String: JSONValue] {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
            let object = value.objectValue
        else {
            throw ValidationError("--context must be a JSON object, e.g. '{\"userId\":\"u1\"}'")
        }
        return object
    }

    /// A request for `prompt` with these options.
    func request(prompt: String) throws -> StreamRequest {
        var request = StreamRequest(
            prompt: prompt,
            provider: provider,
            model: model,
            maxTokens: maxTokens,
            temperature: temperature,
            systemPrompt: system,
            timeoutMs: timeout.flatMap(DurationParsing.milliseconds),
            context: try context.map(parsedContext)
        )
        if enableTools { request.enableTools = true }
        if !tool.isEmpty { request.tools = tool.map(ToolDefinition.daemon) }
        request.maxSteps = maxSteps
        if noCache { request.cache = CacheControl(mode: .bypass) }
        if refreshCache { request.cache = CacheControl(mode: .refresh) }
        return request
    }
}

extension StreamRequest {
    /// Remembers the conversation under `session`: `context.sessionId` and `memory` (docs/protocol.md §5.12).
    mutating func remember(session: String) {
        context = (context ?? [:]).merging(["sessionId": .string(session)]) { $1 }
        memory = true
    }
}
