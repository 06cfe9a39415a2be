import NeuroLinkProtocol

/// The JSON payload of a ConverseStream event (or exception) message.
///
/// One flat shape covers every event type, because each type uses a disjoint set of fields and
/// the `:event-type` header, not the payload, says which applies. Unknown fields (such as the
/// `p` padding) are ignored.
struct BedrockStreamEvent: Decodable {
    var contentBlockIndex: Int?
    var start: Start?
    var delta: Delta?
    var stopReason: String?
    var usage: WireUsage?
    /// The text of an exception payload.
    var message: String?

    struct Start: Decodable {
        var toolUse: ToolUseStart?
    }

    struct ToolUseStart: Decodable {
        var toolUseId: String
        var name: String
    }

    struct Delta: Decodable {
        var text: String?
        var toolUse: ToolUseDelta?
        var reasoningContent: ReasoningDelta?
    }

    struct ToolUseDelta: Decodable {
        var input: String?
    }

    /// `text` pieces are the reasoning; `signature` and `redactedContent` pieces are not shown.
    struct ReasoningDelta: Decodable {
        var text: String?
    }

    /// Counts are clamped to 0...Int.max whatever number the service sends (see TokenCount).
    struct WireUsage: Decodable {
        var inputTokens: TokenCount?
        var outputTokens: TokenCount?
        var totalTokens: TokenCount?
        var cacheReadInputTokens: TokenCount?
        var cacheWriteInputTokens: TokenCount?
    }
}
