import NeuroLinkProtocol

/// What a provider's stream decoder produces, independent of the provider's wire format.
public enum ProviderEvent: Sendable, Hashable {
    case text(String)
    case reasoning(String)
    case finish(FinishReason)
    case usage(Usage)
    /// The model that actually answered, as the provider names it.
    case model(String)
    /// A complete tool call; decoders emit it once all of its arguments have arrived.
    case toolCall(ToolCall)
}

/// A provider-independent chat request, built by the daemon from `stream`/`generate` params.
public struct ChatRequest: Sendable, Hashable {
    /// The conversation, system messages included, in order.
    public var messages: [ChatMessage]
    public var model: String
    public var maxTokens: Int?
    public var temperature: Double?
    /// Nucleus sampling, 0 to 1; adapters send it in their provider's form, and nothing when `nil`.
    public var topP: Double?
    /// Sequences that end the answer (1 to 16 when set).
    public var stop: [String]?
    /// Reproducible sampling, where the provider has it (Anthropic and Bedrock Converse do not).
    public var seed: Int?
    public var stream: Bool
    public var tools: [ToolDefinition]?
    public var toolChoice: ToolChoice?
    /// JSON Schema the answer must follow; adapters use the provider's native JSON mode when it has one.
    public var schema: JSONValue?

    public init(
        messages: [ChatMessage],
        model: String,
        maxTokens: Int?,
        temperature: Double?,
        stream: Bool = true,
        tools: [ToolDefinition]? = nil,
        toolChoice: ToolChoice? = nil,
        schema: JSONValue? = nil,
        topP: Double? = nil,
        stop: [String]? = nil,
        seed: Int? = nil
    ) {
        self.messages = messages
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.stream = stream
        self.tools = tools
        self.toolChoice = toolChoice
        self.schema = schema
        self.topP = topP
        self.stop = stop
        self.seed = seed
    }

    /// The system messages' text joined, for providers that take the system prompt apart.
    public var systemText: String? {
        let parts = messages.filter { $0.role == "system" }.map(\.content)
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }
}
