import NeuroLinkProtocol

/// One Messages API message: a role and its content blocks.
struct AnthropicMessage: Encodable, Hashable {
    /// `user` or `assistant`.
    var role: String
    var content: [AnthropicContentBlock]
}

/// A content block the gateway sends: text, a tool call the assistant made, or a tool's result.
enum AnthropicContentBlock: Encodable, Hashable {
    case text(String)
    case toolUse(id: String, name: String, input: JSONValue)
    case toolResult(toolUseId: String, content: String)

    private enum CodingKeys: String, CodingKey {
        case type, text, id, name, input, tool_use_id, content
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .toolUse(let id, let name, let input):
            try container.encode("tool_use", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(input, forKey: .input)
        case .toolResult(let toolUseId, let content):
            try container.encode("tool_result", forKey: .type)
            try container.encode(toolUseId, forKey: .tool_use_id)
            // `content` is optional on the wire, and an empty text block there is rejected.
            if !content.isEmpty { try container.encode(content, forKey: .content) }
        }
    }

    var isToolResult: Bool {
        if case .toolResult = self { return true }
        return false
    }
}

/// Maps the normalised conversation onto the Messages API's rules.
enum AnthropicConversation {
    /// The non-system messages as Anthropic messages.
    ///
    /// Anthropic differs from the normalised form in three ways, all handled here:
    /// - system messages go to the top-level `system` field instead (see ``ChatRequest/systemText``);
    /// - a tool's result is a `tool_result` block inside a *user* message;
    /// - roles must alternate, so consecutive messages that end up with the same role are merged
    ///   into one, and in a merged user message the `tool_result` blocks come first, as the API
    ///   requires them to directly answer the preceding `tool_use` blocks.
    ///
    /// Empty text blocks are left out because the API rejects them; a message left with no
    /// blocks at all is dropped.
    static func messages(from conversation: [ChatMessage]) throws(RPCError) -> [AnthropicMessage] {
        var result: [AnthropicMessage] = []
        for (index, message) in conversation.enumerated() {
            let role: String
            var blocks: [AnthropicContentBlock] = []
            switch message.role {
            case "system":
                continue
            case "assistant":
                role = "assistant"
                if !message.content.isEmpty { blocks.append(.text(message.content)) }
                for call in message.toolCalls ?? [] {
                    blocks.append(.toolUse(id: call.id, name: call.name, input: call.arguments))
                }
            case "tool":
                // Request validation already demands this; the adapter must not build a block without it.
                guard let id = message.toolCallId, !id.isEmpty else {
                    throw RPCError(
                        .invalidParams,
                        "messages[\(index)].toolCallId must name the tool call this message answers"
                    )
                }
                role = "user"
                blocks.append(.toolResult(toolUseId: id, content: message.content))
            default:
                role = "user"
                if !message.content.isEmpty { blocks.append(.text(message.content)) }
            }
            if blocks.isEmpty { continue }
            if let last = result.indices.last, result[last].role == role {
                result[last].content += blocks
            } else {
                result.append(AnthropicMessage(role: role, content: blocks))
            }
        }
        for index in result.indices where result[index].role == "user" {
            let content = result[index].content
            // Stable: results and other blocks each keep their order.
            result[index].content = content.filter(\.isToolResult) + content.filter { !$0.isToolResult }
        }
        return result
    }
}
