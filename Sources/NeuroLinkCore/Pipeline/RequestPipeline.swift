import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// The stages every `stream`/`generate` request passes through:
///
/// 1. ``prepare(_:)`` — validate, resolve the pool (or provider) and build the conversation.
/// 2. admission (rate limits, queue), 3. cache lookup, 4. security filters — later stages plug in
///    between prepare and execute.
/// 5. ``execute(_:context:sink:)`` — route to a member, stream from it to the sink, retry and fail
///    over before the first chunk (see `RequestPipeline+Attempts.swift`).
public struct RequestPipeline: Sendable {
    public let registry: ProviderRegistry
    public let router: Router
    public let http: CurlLoop
    /// Rate limits and the admission queue; one for the daemon's lifetime, shared by every
    /// configuration generation.
    public let admission: AdmissionController
    let logger: Logger

    public init(
        config: DaemonConfig,
        http: CurlLoop,
        admission: AdmissionController? = nil,
        logger: Logger = Logger(label: "neurolink.pipeline")
    ) {
        let registry = ProviderRegistry(config: config, http: http)
        self.registry = registry
        self.router = Router(config: config, registry: registry)
        self.http = http
        self.admission = admission ?? AdmissionController(config: config.rateLimits.resolved())
        self.logger = logger
    }

    /// Stage 1: resolves the pool or provider and builds the normalised chat request.
    ///
    /// `provider` (or `model`) may name a configured pool; `"auto"` uses the default pool when
    /// pools are configured, else the first usable provider; any other name is a provider (or an
    /// alias), which becomes a pool of one.
    public func prepare(_ params: StreamRequest) throws(RPCError) -> PreparedRequest {
        let requested = params.provider ?? registry.defaults.provider
        let pool: Router.Pool
        var route: RouteInfo
        var allowed: Set<Int>?
        var model = params.model
        if let named = router.pool(named: requested) ?? params.model.flatMap(router.pool(named:))
            ?? (requested == "auto" ? router.defaultPool : nil)
        {
            pool = named
            if model == named.name { model = nil }
            route = RouteInfo(
                requested: requested,
                reason: requested == "auto" && named.name != requested
                    ? "auto: default pool \"\(named.name)\"" : "pool \"\(named.name)\"",
                pool: named.name,
                strategy: named.strategy.rawValue
            )
            if let model {
                allowed = Set(named.members.indices.filter { named.members[$0].model == model })
                guard allowed?.isEmpty == false else {
                    throw RPCError(
                        .invalidParams,
                        "pool \"\(named.name)\" has no member serving model \"\(model)\" (members: \(named.members.map(\.label).joined(separator: ", ")))"
                    )
                }
            }
        } else {
            let (entry, resolved) = try registry.resolve(requested)
            guard let chosen = model ?? entry.config.defaultModel ?? registry.defaults.model else {
                throw RPCError(
                    .invalidParams,
                    "no model given and provider \"\(entry.config.name)\" has no default_model"
                )
            }
            pool = router.singlePool(entry: entry, model: chosen)
            route = resolved
        }
        var messages: [ChatMessage] = []
        if let system = params.systemPrompt { messages.append(ChatMessage(role: "system", content: system)) }
        if let input = params.input { messages.append(ChatMessage(role: "user", content: input.text)) }
        messages += params.messages ?? []
        let chat = ChatRequest(
            messages: messages,
            model: pool.members.first?.model ?? "",
            maxTokens: params.maxTokens ?? registry.defaults.maxTokens,
            temperature: params.temperature ?? registry.defaults.temperature,
            tools: params.tools,
            toolChoice: params.toolChoice,
            schema: params.schema
        )
        return PreparedRequest(
            pool: pool,
            chat: chat,
            requestTimeoutMs: params.timeoutMs,
            requiredCapabilities: Set(params.requiredCapabilities ?? []),
            continueOnFailure: params.continueOnFailure ?? false,
            priority: params.priority,
            allowedMembers: allowed,
            context: params.context,
            route: route
        )
    }
}
