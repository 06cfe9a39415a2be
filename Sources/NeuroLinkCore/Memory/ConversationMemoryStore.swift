import NeuroLinkProtocol

/// Where the memory stage keeps sessions' messages, scoped by tenant. The daemon's store is an
/// SQLite file (`NeuroLinkMemory`); the stage only needs these two operations.
public protocol ConversationMemoryStore: Sendable {
    /// The session's newest messages, oldest first (user and assistant only), that fit
    /// `maxTokens` (estimated) beside `request`'s own messages; whole turns (from a user message)
    /// are dropped oldest first. Empty when the session has none or expired.
    func history(
        tenant: String,
        session: String,
        maxTokens: Int,
        besides request: [ChatMessage]
    ) async throws
        -> [ChatMessage]
    /// Adds a turn's messages to the session, which then lives for `ttlMs` more.
    func append(tenant: String, session: String, messages: [ChatMessage], ttlMs: Int) async throws
}
