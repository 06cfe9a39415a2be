import NeuroLinkProtocol

/// Maps the normalised conversation onto Converse messages.
///
/// Converse has the same rules as Anthropic's Messages API (system text apart, tool results in
/// user messages, alternating roles with tool results first), so the Anthropic mapping is reused
/// and only the block shapes are translated.
enum BedrockConversation {
    static func messages(from conversation: [ChatMessage]) throws(RPCError) -> [BedrockRequestBody.Message] {
        try AnthropicConversation.messages(from: conversation).map { message in
            BedrockRequestBody.Message(
                role: message.role,
                content: message.content.map { block in
                    switch block {
                    case .text(let text): .text(text)
                    case .toolUse(let id, let name, let input): .toolUse(id: id, name: name, input: input)
                    case .toolResult(let id, let content): .toolResult(toolUseId: id, text: content)
                    }
                }
            )
        }
    }
}
