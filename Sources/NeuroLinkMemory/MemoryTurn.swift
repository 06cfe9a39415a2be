/// A stored message with its place in the session, for the admin view of a session.
public struct MemoryTurn: Sendable, Hashable, Codable {
    /// Numbers the session's messages from 1 in the order they were appended; numbers of dropped
    /// messages are not reused, so a gap at the start shows that old turns were dropped.
    public var seq: Int
    public var role: String
    public var content: String
    /// When the message was appended, in milliseconds since 1970 (the caller's clock).
    public var createdAtMs: Int64

    public init(seq: Int, role: String, content: String, createdAtMs: Int64) {
        self.seq = seq
        self.role = role
        self.content = content
        self.createdAtMs = createdAtMs
    }
}
