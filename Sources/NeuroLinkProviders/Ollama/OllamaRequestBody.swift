import NeuroLinkProtocol

/// The body of Ollama's native `POST /api/chat`, built from a normalised ``ChatRequest``.
struct OllamaRequestBody: Encodable {
    var model: String
    var messages: [Message]
    var stream: Bool
    var options: Options?
    var tools: [Tool]?
    /// A JSON Schema here makes Ollama constrain its output to it.
    var format: JSONValue?

    struct Message: Encodable {
        var role: String
        var content: String
        var tool_calls: [WireToolCall]?
        /// Which tool produced a `tool` message; Ollama has no call ids, so the name is the only link.
        var tool_name: String?
    }

    struct WireToolCall: Encodable {
        var function: Function
        struct Function: Encodable {
            var name: String
            /// Unlike OpenAI, Ollama takes the arguments as a JSON object, not a string.
            var arguments: JSONValue
        }
    }

    struct Options: Encodable {
        var temperature: Double?
        var top_p: Double?
        var num_predict: Int?
        var stop: [String]?
        var seed: Int?
    }

    struct Tool: Encodable {
        var type = "function"
        var function: Function
        struct Function: Encodable {
            var name: String
            var description: String?
            var parameters: JSONValue
        }
    }

    init(_ request: ChatRequest) {
        model = request.model
        // The decoder reads NDJSON; a non-streamed answer is that same record on one line, but
        // streaming is what keeps the first byte early.
        stream = true
        if request.temperature != nil || request.topP != nil || request.maxTokens != nil || request.stop != nil
            || request.seed != nil
        {
            options = Options(
                temperature: request.temperature,
                top_p: request.topP,
                num_predict: request.maxTokens,
                stop: request.stop,
                seed: request.seed
            )
        }
        messages = request.messages.enumerated().map { index, message in
            Message(
                role: message.role,
                content: message.content,
                tool_calls: message.toolCalls.map { calls in
                    calls.map { WireToolCall(function: .init(name: $0.name, arguments: $0.arguments)) }
                },
                tool_name: message.role == "tool" ? Self.toolName(answeredAt: index, in: request.messages) : nil
            )
        }
        tools = Self.offeredTools(request.tools, choice: request.toolChoice)
        format = request.schema
    }

    /// Ollama has no tool choice, so it is approximated by what is offered: `none` offers no
    /// tools and a named tool is offered alone. `required` cannot be enforced and offers all.
    private static func offeredTools(_ tools: [ToolDefinition]?, choice: ToolChoice?) -> [Tool]? {
        guard var tools, !tools.isEmpty else { return nil }
        switch choice {
        case ToolChoice.none?: return nil
        case .tool(let name)?: tools = tools.filter { $0.name == name }
        case .auto?, .required?, nil: break
        }
        return tools.map { tool in
            Tool(
                function: .init(
                    name: tool.name,
                    description: tool.description,
                    parameters: tool.parameters ?? .object(["type": .string("object"), "properties": .object([:])])
                )
            )
        }
    }

    /// The name of the call the tool message at `index` answers: the nearest earlier assistant
    /// message holding its id wins, since ids need only be unique within one turn.
    private static func toolName(answeredAt index: Int, in messages: [ChatMessage]) -> String? {
        guard let id = messages[index].toolCallId else { return nil }
        for message in messages[..<index].reversed() {
            if let call = message.toolCalls?.first(where: { $0.id == id }) { return call.name }
        }
        return nil
    }
}
