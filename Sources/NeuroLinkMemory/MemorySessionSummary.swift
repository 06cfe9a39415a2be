/// A session's counters, without its content, for listings.
public struct MemorySessionSummary: Sendable, Hashable, Codable {
    public var tenant: String
    public var sessionId: String
    /// Messages stored.
    public var messages: Int
    /// UTF-8 bytes of the stored messages' content.
    public var bytes: Int
    /// Milliseconds since 1970, as the caller's clock gave them.
    public var createdAtMs: Int64
    public var updatedAtMs: Int64
    /// The session is gone from this time on; `Int64.max` when its TTL had no end.
    public var expiresAtMs: Int64

    public init(
        tenant: String,
        sessionId: String,
        messages: Int,
        bytes: Int,
        createdAtMs: Int64,
        updatedAtMs: Int64,
        expiresAtMs: Int64
    ) {
        self.tenant = tenant
        self.sessionId = sessionId
        self.messages = messages
        self.bytes = bytes
        self.createdAtMs = createdAtMs
        self.updatedAtMs = updatedAtMs
        self.expiresAtMs = expiresAtMs
    }
}
