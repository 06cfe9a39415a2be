import NeuroLinkProtocol

/// One NDJSON record of a streamed `/api/chat` answer. Only the fields the gateway uses are
/// read; Ollama's timing fields and anything new are ignored.
struct OllamaChatLine: Decodable {
    var model: String?
    var message: Message?
    var done: Bool?
    var done_reason: String?
    /// Clamped to 0...Int.max whatever number the server sends (see TokenCount).
    var prompt_eval_count: TokenCount?
    var eval_count: TokenCount?
    /// Ollama sends a bare string; proxies in front of it sometimes send an OpenAI-style object.
    var error: JSONValue?

    struct Message: Decodable {
        var content: String?
        var thinking: String?
        var tool_calls: [ToolCall]?
    }

    struct ToolCall: Decodable {
        /// Only sent by newer versions.
        var id: String?
        var function: Function?
        struct Function: Decodable {
            var name: String?
            var arguments: JSONValue?
        }
    }

    /// The error's text, when the record reports one.
    var errorMessage: String? {
        switch error {
        case nil, .null?: nil
        case .string(let text)?: text
        case .object(let object)?: object["message"]?.stringValue ?? "unknown error"
        case let other?: "\(other.typeName) error"
        }
    }
}
