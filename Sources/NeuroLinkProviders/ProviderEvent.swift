import NeuroLinkProtocol

/// What a provider's stream decoder produces, independent of the provider's wire format.
public enum ProviderEvent: Sendable, Hashable {
    case text(String)
    case reasoning(String)
    case finish(FinishReason)
    case usage(Usage)
    /// The model that actually answered, as the provider names it.
    case model(String)
}

/// A provider-independent chat request, built by the daemon from `stream`/`generate` params.
public struct ChatRequest: Sendable, Hashable {
    /// The conversation, system messages included, in order.
    public var messages: [ChatMessage]
    public var model: String
    public var maxTokens: Int?
    public var temperature: Double?
    public var stream: Bool

    public init(messages: [ChatMessage], model: String, maxTokens: Int?, temperature: Double?, stream: Bool = true) {
        self.messages = messages
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.stream = stream
    }
}
