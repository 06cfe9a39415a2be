import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// Resolves the pool (or provider) a request names and builds its conversation.
///
/// `provider` (or `model`) may name a configured pool; `"auto"` uses the default pool when pools
/// are configured, else the first usable provider; any other name is a provider (or an alias),
/// which becomes a pool of one. The params themselves were checked when they were decoded.
public struct ValidateStage: PreludeStage {
    let providers: ProviderRegistry
    let router: Router

    public func prelude(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        prepare(&request)
    }

    /// Sets `request.prepared`, or returns why it cannot be.
    @inline(never)
    private func prepare(_ request: inout PipelineRequest) -> RPCError? {
        do {
            request.prepared = try prepare(request.params)
            return nil
        } catch {
            return error
        }
    }

    /// The pool, conversation and routing constraints of `params`. Out of line, like the other
    /// stages' work before `next`: inlined, its values would stay in the stage's async frame for as
    /// long as the stream runs (docs/architecture.md, "Memory of an open stream").
    @inline(never)
    public func prepare(_ params: StreamRequest) throws(RPCError) -> PreparedRequest {
        let requested = params.provider ?? providers.defaults.provider
        let (pool, route, allowed) = try resolvePool(requested: requested, model: params.model)
        guard !pool.members.isEmpty else {
            throw RPCError(.noProviderAvailable, "pool \"\(pool.name)\" has no usable member")
        }
        return PreparedRequest(
            pool: pool,
            chat: conversation(params, model: pool.members[0].model),
            requestTimeoutMs: params.timeoutMs,
            requiredCapabilities: Set(params.requiredCapabilities ?? []),
            continueOnFailure: params.continueOnFailure ?? false,
            priority: params.priority,
            allowedMembers: allowed,
            context: params.context,
            route: route
        )
    }

    private func resolvePool(
        requested: String,
        model: String?
    ) throws(RPCError) -> (Router.Pool, RouteInfo, Set<Int>?) {
        let named =
            router.pool(named: requested) ?? model.flatMap(router.pool(named:))
            ?? (requested == "auto" ? router.defaultPool : nil)
        guard let named else {
            let (entry, route) = try providers.resolve(requested)
            guard let chosen = model ?? entry.config.defaultModel ?? providers.defaults.model else {
                throw RPCError(
                    .invalidParams,
                    "no model given and provider \"\(entry.config.name)\" has no default_model"
                )
            }
            return (router.singlePool(entry: entry, model: chosen), route, nil)
        }
        let route = RouteInfo(
            requested: requested,
            reason: requested == "auto" && named.name != requested
                ? "auto: default pool \"\(named.name)\"" : "pool \"\(named.name)\"",
            pool: named.name,
            strategy: named.strategy.rawValue
        )
        guard let model, model != named.name else { return (named, route, nil) }
        let allowed = Set(named.members.indices.filter { named.members[$0].model == model })
        guard !allowed.isEmpty else {
            let members = named.members.map(\.label).joined(separator: ", ")
            throw RPCError(
                .invalidParams,
                "pool \"\(named.name)\" has no member serving model \"\(model)\" (members: \(members))"
            )
        }
        return (named, route, allowed)
    }

    private func conversation(_ params: StreamRequest, model: String) -> ChatRequest {
        var messages: [ChatMessage] = []
        if let system = params.systemPrompt { messages.append(ChatMessage(role: "system", content: system)) }
        if let input = params.input { messages.append(ChatMessage(role: "user", content: input.text)) }
        messages += params.messages ?? []
        return ChatRequest(
            messages: messages,
            model: model,
            maxTokens: params.maxTokens ?? providers.defaults.maxTokens,
            temperature: params.temperature ?? providers.defaults.temperature,
            tools: params.tools,
            toolChoice: params.toolChoice,
            schema: params.schema,
            topP: params.topP,
            stop: params.stop,
            seed: params.seed
        )
    }
}
