import NeuroLinkBasics

/// Fits a session's history into a model's context window next to the new request.
public enum MemoryTrimmer {
    /// Tokens added per message for its role and framing, on top of its text.
    public static let overheadPerMessage = 4

    /// Keeps the newest history that fits `maxTokens`, dropping the oldest whole turns first, so
    /// the result starts with a user message (or is empty).
    ///
    /// Each message costs ``estimateTokens(_:)`` of its content plus ``overheadPerMessage``.
    /// `reservedTokens` is what the new request itself (system prompt and new messages) already
    /// uses. Returns `[]` when not even the newest turn fits; negative numbers count as 0.
    public static func trim(_ history: [MemoryMessage], maxTokens: Int, reservedTokens: Int) -> [MemoryMessage] {
        let budget = max(0, maxTokens).subtractingSaturating(max(0, reservedTokens))
        let entries = history.map { message in
            TurnBoundaries.Entry(startsTurn: message.startsTurn, cost: cost(of: message))
        }
        let start = TurnBoundaries.keptStart(of: entries) { _, tokens in tokens <= budget }
        return Array(history[start...])
    }

    /// A model-independent estimate: UTF-8 bytes / 4, rounded up. Cheap and close for English and
    /// code; real tokenizers differ (CJK text uses more tokens), so callers should leave a margin.
    public static func estimateTokens(_ text: String) -> Int {
        let bytes = text.utf8.count
        return bytes / 4 + (bytes % 4 == 0 ? 0 : 1)
    }

    /// What `message` costs of a budget: ``estimateTokens(_:)`` of its content plus
    /// ``overheadPerMessage``.
    public static func cost(of message: MemoryMessage) -> Int {
        estimateTokens(message.content).addingSaturating(overheadPerMessage)
    }
}
