import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The body of Text Generation Inference's `/generate_stream`:
/// `{"inputs": <prompt>, "parameters": {"max_new_tokens", "temperature", "top_p", "stop", "seed", "details": true},
/// "stream": true}`.
///
/// TGI takes one prompt, not a conversation, and applies no chat template on this route; the
/// conversation is rendered by ``TGIPrompt``. `details` is asked for because the final event's
/// details carry the finish reason and the token count.
struct TGIRequestBody: Encodable {
    var inputs: String
    var parameters: Parameters
    var stream = true

    struct Parameters: Encodable {
        var max_new_tokens: Int?
        /// TGI refuses 0 ("must be strictly positive"); greedy decoding is its default anyway.
        var temperature: Double?
        /// TGI takes only 0 < top_p < 1; 1 (no truncation) and 0 are left out.
        var top_p: Double?
        var stop: [String]?
        var seed: Int?
        var details = true
    }

    /// Throws `invalid_params` for tools: `/generate_stream` has no tool calling.
    init(_ request: ChatRequest, provider: String) throws(RPCError) {
        if let tools = request.tools, !tools.isEmpty, request.toolChoice != ToolChoice.none {
            throw RPCError(.invalidParams, "\(provider): the tgi container has no tool calling (use container: openai)")
        }
        inputs = try TGIPrompt.render(request)
        let temperature = request.temperature.flatMap { $0 > 0 ? $0 : nil }
        let topP = request.topP.flatMap { $0 > 0 && $0 < 1 ? $0 : nil }
        parameters = Parameters(
            max_new_tokens: request.maxTokens,
            temperature: temperature,
            top_p: topP,
            stop: request.stop,
            seed: request.seed
        )
    }
}

/// Renders a conversation as one plain-text prompt for a container without a chat template.
enum TGIPrompt {
    /// A lone user message without a system prompt is passed through as it is, so raw prompts
    /// reach the model unchanged. Anything else becomes a transcript:
    /// the system text, then `User: …` / `Assistant: …` turns separated by blank lines, ending in
    /// `Assistant:` for the model to continue. `schema` adds the JSON instruction to the system text.
    static func render(_ request: ChatRequest) throws(RPCError) -> String {
        let system = try AnthropicRequestBody.systemPrompt(request)
        let turns = request.messages.filter { $0.role != "system" }
        if system == nil, turns.count == 1, let only = turns.first, only.role == "user" { return only.content }
        var parts: [String] = []
        if let system, !system.isEmpty { parts.append(system) }
        for message in turns {
            switch message.role {
            case "assistant":
                let calls = (message.toolCalls ?? []).map { "[called \($0.name) with \(canonicalJSON($0.arguments))]" }
                parts.append("Assistant: " + ([message.content].filter { !$0.isEmpty } + calls).joined(separator: "\n"))
            case "tool":
                parts.append("Tool result: " + message.content)
            default:
                parts.append("User: " + message.content)
            }
        }
        parts.append("Assistant:")
        return parts.joined(separator: "\n\n")
    }

    /// Compact JSON with sorted keys, so the same call always renders the same text.
    private static func canonicalJSON(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
