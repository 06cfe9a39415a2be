import NIOCore
import NeuroLinkCache
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol

extension Connection {
    /// `cache.stats`, `cache.clear` and `cache.inspect`. A tenant clears and inspects only its own
    /// entries (and, with `cache.scope: global`, the shared ones need an admin); root and
    /// `server.admin_group` may name any tenant, or `"*"` for all.
    func handleCache(_ request: InboundRequest, group: inout DiscardingTaskGroup) {
        guard let id = request.id else { return }
        let tenant = daemon.runner.resolveTenant(of: caller, userId: nil).tenant.name
        group.addTask { [self] in
            let frame: ByteBuffer
            do throws(RPCError) {
                guard let cache = daemon.cache else {
                    throw RPCError(.cacheMiss, "the response cache is disabled (cache.enabled: false)")
                }
                switch request.method {
                case Method.cacheStats:
                    frame = Frames.reply(id: id, .success(cache.stats(showError: caller.isAdmin)), allocator: allocator)
                case Method.cacheClear:
                    frame = Frames.reply(
                        id: id,
                        .success(try await clear(request, cache, tenant)),
                        allocator: allocator
                    )
                default:
                    frame = Frames.reply(
                        id: id,
                        .success(try await inspect(request, cache, tenant)),
                        allocator: allocator
                    )
                }
            } catch {
                frame = Frames.error(id: id, error, allocator: allocator)
            }
            await send(frame)
        }
    }

    private func clear(
        _ request: InboundRequest,
        _ cache: ResponseCache,
        _ own: String
    ) async throws(RPCError)
        -> CacheClearResult
    {
        let params = try CacheClearRequest(json: request.params)
        let named = params.tenant ?? own
        guard caller.isAdmin || named == own else {
            throw RPCError.forbidden(
                "only root and server.admin_group may clear another tenant's entries",
                rule: "admin"
            )
        }
        let every = named == "*"
        let removed = await cache.clear(tenant: every ? nil : named, namespace: params.namespace, everyTenant: every)
        daemon.security.adminAction(
            "cache_clear",
            caller: daemon.runner.resolveTenant(of: caller, userId: nil),
            detail: "tenant \(named)\(params.namespace.map { ", namespace \($0)" } ?? ""): \(removed) removed"
        )
        return CacheClearResult(removed: removed)
    }

    private func inspect(
        _ request: InboundRequest,
        _ cache: ResponseCache,
        _ own: String
    ) async throws(RPCError)
        -> CacheEntryInfo
    {
        let params = try CacheInspectRequest(json: request.params)
        guard let key = CacheKey(hex: params.key),
            let info = await cache.inspect(key, tenant: caller.isAdmin ? nil : own)
        else {
            throw RPCError(.cacheMiss, "no cache entry \(params.key) that you may see")
        }
        return info
    }
}
