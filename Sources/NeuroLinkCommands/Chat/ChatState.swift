import FoundationEssentials
import NeuroLinkProtocol

/// What a chat's next request looks like, and what the last answer was.
struct ChatState {
    let session: String
    /// Every turn's request, but for its text: the command line's options, changed by `/` commands.
    private(set) var template: StreamRequest
    /// The last answer that finished, for `/stats`.
    var last: StreamResult?

    init(session: String, template: StreamRequest) {
        self.session = session
        self.template = template
        self.template.remember(session: session)
    }

    /// A fresh session id: `chat-` and 12 random hex digits.
    static func newSession() -> String {
        String(cFormat: "chat-%012llx", UInt64.random(in: 0..<(1 << 48)))
    }

    func request(_ prompt: String) -> StreamRequest {
        var request = template
        request.input = StreamRequest.Input(text: prompt)
        return request
    }

    /// Applies a settings command; the confirmation to show, or `nil` when `line` changes no setting.
    mutating func apply(_ line: ChatLine) -> String? {
        switch line {
        case .model(let name):
            template.model = name
            return "model: \(name)"
        case .provider(let name):
            template.provider = name
            return "provider: \(name)"
        case .system(let text):
            template.systemPrompt = text
            return text == nil ? "no system prompt" : "system prompt set"
        case .tools(let on):
            template.enableTools = on ? true : nil
            return on ? "tools on: the daemon runs the tools the model calls" : "tools off"
        default:
            return nil
        }
    }

    /// `/stats`: `loop/loop-model · first chunk 12 ms · 45 ms · 3 in / 5 out · $0.000001`.
    var stats: String {
        guard let result = last else { return "no answer yet" }
        var parts = ["\(result.provider)/\(result.model)"]
        if let first = result.timings.timeToFirstChunkMs { parts.append(String(cFormat: "first chunk %.0f ms", first)) }
        parts.append(String(cFormat: "%.0f ms", result.timings.durationMs))
        if let usage = result.usage {
            parts.append(
                "\(usage.inputTokens) in / \(usage.outputTokens) out\(usage.estimated == true ? " (estimated)" : "")"
            )
        }
        parts.append(result.cost.map { String(cFormat: "$%.6f", $0) } ?? "cost unknown")
        return parts.joined(separator: " · ")
    }
}
