import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders

/// The response cache's exact tier. A request that may use it (its `cache.mode`, and a
/// temperature of 0 unless it or `cache.nondeterministic` opts in) gets a ``CacheKey``; a stored
/// answer that serves its `maxTokens` is replayed without calling `next` (no admission, no
/// provider); otherwise the answer `next` makes is recorded as it goes out and, when it may be
/// kept, stored after it ended. `result.cache` says which.
public struct CacheStage: RequestStage {
    let store: (any ResponseCacheStore)?
    let settings: DaemonConfig.Cache
    let pricing: PricingTable

    public func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        guard let store, settings.enabled else { return await next(&request, &output) }
        // The chain skips the stage for requests that pass the cache by (`takesPart`); run on its own, it
        // decides here, in this small frame, rather than in `cached`'s large one.
        guard let plan = makePlan(request) else { return passBack(await next(&request, &output)) }
        return await cached(&request, &output, plan: plan, store: store, next: next)
    }

    /// Skipped when the cache is off, or the request passes it by (``passBack(_:)`` then says so).
    public func takesPart(in request: PipelineRequest) -> Bool {
        store != nil && settings.enabled && uses(request)
    }

    /// A request that passed the enabled cache by: counted, and its result says `bypass`.
    public func passBack(_ result: StageResult) -> StageResult {
        guard let store, settings.enabled else { return result }
        store.count(.bypassed)
        return Self.with(CacheInfo(status: .bypass), result)
    }

    @inline(never)
    private func cached(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        plan: CachePlan,
        store: any ResponseCacheStore,
        next: StageNext
    ) async -> StageResult {
        var plan = plan
        if plan.lookup {
            if let hit = await store.lookup(plan.key, maxTokens: plan.maxTokens, now: WallClock.unixSeconds) {
                return await replay(hit, info: CacheInfo(status: .hit, key: plan.key.hex), request, &output, store)
            }
            if let query = plan.semantic {
                switch await store.similar(query, now: WallClock.unixSeconds) {
                case .hit(let answer, let similarity, _):
                    var info = CacheInfo(status: .semanticHit, key: plan.key.hex)
                    info.similarity = Self.rounded(similarity)
                    return await replay(answer, info: info, request, &output, store)
                case .refused(let similarity, let reason, let vector):
                    plan.outcome = (CacheStatus.refused, similarity, vector)
                    plan.refusal = reason
                case .miss(let best, let vector):
                    plan.outcome = (CacheStatus.miss, best, vector)
                }
            }
            if plan.mode == .only {
                return .failure(RPCError(.cacheMiss, "no cached answer matches the request (cache.mode \"only\")"))
            }
        } else {
            store.count(.bypassed)
            // A refreshed answer's prompt is indexed like any other's.
            if let query = plan.semantic, plan.store {
                plan.outcome = (CacheStatus.bypass, nil, await store.vector(for: query))
            }
        }
        if plan.store { output.startRecording(limit: settings.maxEntryKB * 1024) }
        let answered = await next(&request, &output)
        return await conclude(answered, plan: plan, request: request, output: &output, store: store)
    }

    /// Similarities as results and records show them: four decimals.
    private static func rounded(_ similarity: Double) -> Double { (similarity * 10_000).rounded() / 10_000 }

    /// Whether the request uses the cache at all; cheap (no key is made).
    private func uses(_ request: PipelineRequest) -> Bool {
        let control = request.params.cache
        // A tool loop's answer depends on what its tools returned at the time: never kept.
        guard control?.mode ?? CacheMode.default != .bypass, !request.params.runsTools, let prepared = request.prepared
        else { return false }
        return prepared.chat.temperature == 0 || settings.nondeterministic || control?.mode != nil
    }

    /// What the request does with the cache; `nil` when it does not use it at all.
    @inline(never)
    private func makePlan(_ request: PipelineRequest) -> CachePlan? {
        guard uses(request), let prepared = request.prepared else { return nil }
        let control = request.params.cache
        let mode = control?.mode ?? CacheMode.default
        let tenant = settings.scope == .tenant ? request.tenant.name : nil
        let owner = CacheOwner(tenant: tenant, namespace: control?.namespace)
        // Answers shaped by different output transforms (redaction, filters) are never shared.
        let scope =
            (tenant.map { "tenant:" + $0 } ?? "global") + "\u{0}" + (owner.namespace ?? "")
            + (request.answerShaping.map { "\u{0}" + $0 } ?? "")
        let key = CacheKey.make(
            scope: scope,
            target: prepared.pool.name,
            model: request.params.model,
            chat: prepared.chat,
            params: request.params
        )
        var plan = CachePlan(
            key: key,
            owner: owner,
            mode: mode,
            maxTokens: prepared.chat.maxTokens,
            ttlMs: control?.ttlMs ?? settings.ttlMs
        )
        plan.semantic = semanticQuery(request, prepared: prepared, scope: scope)
        return plan
    }

    /// The semantic lookup of a request that uses the tier: its last user turn, in the scope of
    /// everything else (so a match needs the same tenant, model, system prompt, history, tools
    /// and parameters).
    private func semanticQuery(_ request: PipelineRequest, prepared: PreparedRequest, scope: String) -> SemanticQuery? {
        let semantic = settings.semantic
        let wanted =
            request.params.cache?.semantic
            ?? (semantic.enabled
                && (semantic.only.isEmpty || semantic.only.contains(prepared.pool.name)
                    || prepared.pool.members.contains { semantic.only.contains($0.entry.config.name) }))
        guard wanted, request.semanticCacheAllowed, let last = prepared.chat.messages.last, last.role == "user",
            !last.content.isEmpty
        else {
            return nil
        }
        guard semantic.multiTurn || prepared.chat.messages.count(where: { $0.role == "user" }) == 1 else { return nil }
        var earlier = prepared.chat
        earlier.messages.removeLast()
        let key = CacheKey.make(
            scope: scope + "\u{0}semantic",
            target: prepared.pool.name,
            model: request.params.model,
            chat: earlier,
            params: request.params
        )
        return SemanticQuery(
            scope: key,
            text: last.content,
            maxTokens: prepared.chat.maxTokens,
            threshold: semantic.threshold,
            waitLimit: .milliseconds(semantic.maxLookupMs)
        )
    }

    /// Answers with a stored answer.
    @inline(never)
    private func replay(
        _ hit: CachedAnswer,
        info: CacheInfo,
        _ request: PipelineRequest,
        _ output: inout ResponseOutput,
        _ store: any ResponseCacheStore
    ) async -> StageResult {
        do {
            try await output.replay(hit.batches, pace: settings.replay == .original ? request.context : nil)
        } catch {
            return .failure(request.context.failedDelivery(error))
        }
        var route = request.prepared?.route ?? RouteInfo(requested: request.params.provider ?? "auto", reason: "")
        route.reason = "answered from the response cache; \(route.reason)"
        var completion = Completion(
            finishReason: hit.finishReason,
            usage: Usage(inputTokens: 0, outputTokens: 0),
            provider: hit.provider,
            model: hit.model,
            route: route
        )
        var info = info
        info.ageMs = max(0, (WallClock.unixSeconds - hit.createdAt) * 1000).rounded()
        info.savedUsage = hit.usage
        info.savedCost = pricing.cost(of: hit.usage, model: hit.model)
        store.count(.saved(hit.usage, cost: info.savedCost))
        completion.cache = info
        return .success(completion)
    }

    /// After a miss (or a refresh): stores the answer when it may be kept.
    @inline(never)
    private func conclude(
        _ answered: StageResult,
        plan: CachePlan,
        request: PipelineRequest,
        output: inout ResponseOutput,
        store: any ResponseCacheStore
    ) async -> StageResult {
        var info = CacheInfo(status: plan.outcome?.status ?? (plan.lookup ? .miss : .bypass), key: plan.key.hex)
        info.similarity = plan.outcome?.similarity.map(Self.rounded)
        info.refusal = plan.refusal
        guard case .success(var completion) = answered else { return answered }
        if plan.store {
            do {
                try await output.endAnswer()
            } catch {
                return .failure(request.context.failedDelivery(error))
            }
            let batches = output.takeRecording()
            if let batches, storable(completion, output: output, request: request) {
                let now = WallClock.unixSeconds
                let usage = UsageEstimate.filling(
                    completion.usage,
                    promptBytes: request.prepared?.promptBytes ?? 0,
                    answerBytes: output.deliveredBytes
                )
                let answer = CachedAnswer(
                    batches: batches,
                    finishReason: completion.finishReason,
                    usage: usage,
                    provider: completion.provider,
                    model: completion.model,
                    maxTokens: plan.maxTokens,
                    createdAt: now,
                    expiresAt: now + Double(plan.ttlMs) / 1000
                )
                var semantic: SemanticEntry?
                if let query = plan.semantic, let vector = plan.outcome?.vector {
                    semantic = SemanticEntry(scope: query.scope, text: query.text, vector: vector)
                }
                store.store(answer, key: plan.key, owner: plan.owner, semantic: semantic)
                info.stored = true
            }
        }
        completion.cache = info
        return .success(completion)
    }

    /// Never stored: cancelled or truncated streams, answers cut by `length` (unless
    /// `store_truncated`), answers with tool calls (unless `store_tool_calls`), answers ended by a
    /// content filter, and answers to prompts flagged by injection detection.
    private func storable(_ completion: Completion, output: ResponseOutput, request: PipelineRequest) -> Bool {
        guard request.context.cancelReason == nil, !output.truncated, request.security.injectionAction == nil
        else { return false }
        switch completion.finishReason {
        case .stop: break
        case .length: guard settings.storeTruncated else { return false }
        case .toolCalls: guard settings.storeToolCalls else { return false }
        default: return false
        }
        return output.toolCalls.isEmpty || settings.storeToolCalls
    }

    private static func with(_ info: CacheInfo, _ result: StageResult) -> StageResult {
        result.map { completion in
            var completion = completion
            completion.cache = info
            return completion
        }
    }
}

/// What one request does with the cache.
struct CachePlan: Sendable {
    var key: CacheKey
    var owner: CacheOwner
    var mode: CacheMode
    /// The `maxTokens` sent upstream: picks the entry's variant.
    var maxTokens: Int?
    var ttlMs: Int
    /// The semantic lookup, when the request uses the tier.
    var semantic: SemanticQuery?
    /// What the semantic lookup found, for the result and for storing the prompt's vector.
    var outcome: (status: CacheStatus, similarity: Double?, vector: [Float]?)?
    /// Why the meaning guard refused the best candidate.
    var refusal: String?

    var lookup: Bool { mode != .refresh }
    var store: Bool { mode == .default || mode == .refresh }
}
