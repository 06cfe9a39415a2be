import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders

/// The stages every `stream`/`generate` request passes through:
///
/// 1. ``prepare(_:)`` — validate, pick the provider and model, build the upstream request.
/// 2. admission (rate limits, queue), 3. cache lookup, 4. security filters — later stages plug in
///    between prepare and execute.
/// 5. ``execute(_:context:sink:)`` — stream from the provider to the sink.
public struct RequestPipeline: Sendable {
    public let registry: ProviderRegistry
    public let http: CurlLoop

    public init(registry: ProviderRegistry, http: CurlLoop) {
        self.registry = registry
        self.http = http
    }

    /// Stage 1: resolves the provider and model and builds the normalised chat request.
    public func prepare(_ params: StreamRequest) throws(RPCError) -> PreparedRequest {
        let (entry, route) = try registry.resolve(params.provider)
        guard let model = params.model ?? entry.config.defaultModel ?? registry.defaults.model else {
            throw RPCError(.invalidParams, "no model given and provider \"\(entry.config.name)\" has no default_model")
        }
        var messages: [ChatMessage] = []
        if let system = params.systemPrompt { messages.append(ChatMessage(role: "system", content: system)) }
        if let input = params.input { messages.append(ChatMessage(role: "user", content: input.text)) }
        messages += params.messages ?? []
        let chat = ChatRequest(messages: messages, model: model, maxTokens: params.maxTokens ?? registry.defaults.maxTokens,
                               temperature: params.temperature ?? registry.defaults.temperature,
                               tools: params.tools, toolChoice: params.toolChoice, schema: params.schema)
        return PreparedRequest(provider: entry, chat: chat,
                               timeouts: entry.timeouts.transferTimeouts(requestTotalMs: params.timeoutMs),
                               context: params.context, route: route)
    }

    /// Stage 5: runs the upstream transfer, relaying every decoded delta to `sink` as it arrives.
    public func execute(_ prepared: PreparedRequest, context: RequestContext, sink: inout some ChunkSink) async
        -> Result<StreamResult, RPCError>
    {
        var run = StreamRun(prepared: prepared, context: context)
        do {
            try await run.perform(http: http, sink: &sink)
            return .success(run.result())
        } catch {
            return .failure(run.failure(error, secrets: registry.secrets))
        }
    }
}
