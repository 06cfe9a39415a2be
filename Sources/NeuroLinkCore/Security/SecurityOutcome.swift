import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders

/// What security did to one request, for its record (analytics, metrics, the audit log): scores,
/// counts and rule names, never the text that triggered them.
public struct SecurityOutcome: Sendable, Hashable {
    /// The prompt-injection score of the request's user and tool messages.
    public var injectionScore: Double?
    /// `flagged` or `blocked`, when the score reached the tenant's threshold.
    public var injectionAction: String?
    /// The signal families that contributed to the score.
    public var injectionSignals: [String] = []
    /// Whether the classifier was asked, and what it said (`attack`, `benign`, or why it did not answer).
    public var classifierVerdict: String?
    /// Values replaced in the prompt before a provider saw it, by detector.
    public var inputRedactions: [String: Int] = [:]
    /// Values replaced in the answer before the client saw it, by detector.
    public var outputRedactions: [String: Int] = [:]
    /// Values seen in the prompt while its tenant's input redaction is off, by detector.
    public var unredactedInput: [String: Int] = [:]
    /// What the content filters did: `replace` when replace rules replaced text, and the id of
    /// the `stop` rule that ended the answer.
    public var filtered: [String] = []

    public init() {}

    public var isEmpty: Bool { self == SecurityOutcome() }
}

/// Input limits (`security.limits`, or a policy's): a request over one fails with
/// `invalid_params` naming the limit and the value.
extension InputLimits {
    public func violation(_ chat: ChatRequest) -> RPCError? {
        let messages = chat.messages
        if messages.count > maxMessages {
            return Self.error("max_messages", "the request has \(messages.count) messages; the limit is \(maxMessages)")
        }
        if let message = messages.first(where: { !roles.contains($0.role) }) {
            let allowed = roles.sorted().joined(separator: ", ")
            return Self.error("roles", "role \(message.role.debugDescription) is not allowed (allowed: \(allowed))")
        }
        var characters = 0
        for message in messages {
            // Characters, as people count them; stops counting once over the limit.
            characters += message.content.unicodeScalars.count
            if characters > maxPromptCharacters {
                return Self.error(
                    "max_prompt_chars",
                    "the prompt has more than \(maxPromptCharacters) characters (the limit)"
                )
            }
        }
        let tools = chat.tools ?? []
        if tools.count > maxTools {
            return Self.error("max_tools", "the request has \(tools.count) tools; the limit is \(maxTools)")
        }
        for tool in tools {
            let size =
                tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + (tool.parameters?.approximateSize ?? 0)
            if size > maxToolBytes {
                return Self.error(
                    "max_tool_bytes",
                    "tool \(tool.name.debugDescription) takes \(size) bytes; the limit is \(maxToolBytes)"
                )
            }
        }
        return nil
    }

    private static func error(_ limit: String, _ detail: String) -> RPCError {
        var error = RPCError(.invalidParams, "\(detail) (security.limits.\(limit))")
        error.data.rule = limit
        return error
    }
}
