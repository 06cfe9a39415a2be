/// One message of a conversation as memory keeps it: only its role and its text.
public struct MemoryMessage: Sendable, Hashable, Codable {
    /// `user` or `assistant`; ``MemoryStore`` stores no other role.
    public var role: String
    /// The text, verbatim: the daemon redacts it before it reaches the store.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// The roles that ``MemoryStore`` stores. System prompts and tool messages are not history:
    /// the client sends them again with each request.
    public static let storedRoles: Set<String> = ["user", "assistant"]

    /// Whether this message starts a turn (``MemoryStore`` and ``MemoryTrimmer`` drop whole turns).
    var startsTurn: Bool { role == "user" }
}
