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
        return await cached(&request, &output, store: store, next: next)
    }

    @inline(never)
    private func cached(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        store: any ResponseCacheStore,
        next: StageNext
    ) async -> StageResult {
        guard let plan = plan(request) else {
            store.count(.bypassed)
            return Self.with(CacheInfo(status: .bypass), await next(&request, &output))
        }
        if plan.lookup {
            if let hit = await store.lookup(plan.key, maxTokens: plan.maxTokens, now: WallClock.unixSeconds) {
                return await replay(hit, plan: plan, request: request, output: &output, store: store)
            }
            if plan.mode == .only {
                return .failure(RPCError(.cacheMiss, "no cached answer matches the request (cache.mode \"only\")"))
            }
        } else {
            store.count(.bypassed)
        }
        if plan.store { output.startRecording(limit: settings.maxEntryKB * 1024) }
        let answered = await next(&request, &output)
        return await conclude(answered, plan: plan, request: request, output: &output, store: store)
    }

    /// What the request does with the cache; `nil` when it does not use it at all.
    @inline(never)
    private func plan(_ request: PipelineRequest) -> CachePlan? {
        let control = request.params.cache
        let mode = control?.mode ?? .default
        guard mode != .bypass, let prepared = request.prepared else { return nil }
        let deterministic = prepared.chat.temperature == 0
        guard deterministic || settings.nondeterministic || control?.mode != nil else { return nil }
        let tenant = settings.scope == .tenant ? request.tenant.name : nil
        let owner = CacheOwner(tenant: tenant, namespace: control?.namespace)
        let scope = (tenant.map { "tenant:" + $0 } ?? "global") + "\u{0}" + (owner.namespace ?? "")
        let key = CacheKey.make(
            scope: scope,
            target: prepared.pool.name,
            model: request.params.model,
            chat: prepared.chat,
            params: request.params
        )
        return CachePlan(
            key: key,
            owner: owner,
            mode: mode,
            maxTokens: prepared.chat.maxTokens,
            ttlMs: control?.ttlMs ?? settings.ttlMs
        )
    }

    /// Answers with a stored answer.
    @inline(never)
    private func replay(
        _ hit: CachedAnswer,
        plan: CachePlan,
        request: PipelineRequest,
        output: inout ResponseOutput,
        store: any ResponseCacheStore
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
        var info = CacheInfo(status: .hit, key: plan.key.hex)
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
        var info = CacheInfo(status: plan.lookup ? .miss : .bypass, key: plan.key.hex)
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
                store.store(answer, key: plan.key, owner: plan.owner)
                info.stored = true
            }
        }
        completion.cache = info
        return .success(completion)
    }

    /// Never stored: cancelled or truncated streams, answers cut by `length` (unless
    /// `store_truncated`), answers with tool calls (unless `store_tool_calls`).
    private func storable(_ completion: Completion, output: ResponseOutput, request: PipelineRequest) -> Bool {
        guard request.context.cancelReason == nil, !output.truncated else { return false }
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

    var lookup: Bool { mode != .refresh }
    var store: Bool { mode == .default || mode == .refresh }
}
