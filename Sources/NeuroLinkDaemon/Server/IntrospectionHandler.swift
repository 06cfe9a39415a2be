import Logging
import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

extension Connection {
    /// `providers.list` and `models.list`. Whatever contacts providers (a check, a listing) runs as
    /// a child task in the connection's group, like `stream`: a slow provider must not hold up the
    /// read loop, and closing the connection cancels it (and its transfers) with everything else.
    /// Such requests are registered like `stream`: they count against the caps and the drain
    /// refuses them.
    func handleIntrospection(_ request: InboundRequest, group: inout DiscardingTaskGroup) async {
        // A notification gets no answer, so there is nothing worth doing for it.
        guard let id = request.id else { return }
        let introspection = ProviderIntrospection(registry: daemon.current.registry, http: daemon.http)
        let check: Bool
        let provider: String?
        do throws(RPCError) {
            if request.method == Method.providersList {
                check = try ProvidersListRequest(json: request.params).check == true
                provider = nil
            } else {
                check = false
                provider = try ModelsListRequest(json: request.params).provider
            }
        } catch {
            await send(Frames.error(id: id, error, allocator: allocator))
            return
        }
        if request.method == Method.providersList, !check {
            // Configuration only: as cheap as `status`.
            await send(
                Frames.reply(id: id, .success(await introspection.providers(check: false)), allocator: allocator)
            )
            return
        }
        let context: RequestContext
        do throws(RPCError) {
            context = try daemon.runner.start(id: id, method: request.method, caller: caller, scope: scope)
        } catch {
            await send(Frames.error(id: id, error, allocator: allocator))
            return
        }
        group.addTask { [self] in
            defer { daemon.runner.finish(context) }
            let frame =
                request.method == Method.providersList
                ? Frames.reply(id: id, .success(await checkedProviders(introspection, id: id)), allocator: allocator)
                : Frames.reply(id: id, await models(introspection, provider: provider, id: id), allocator: allocator)
            await send(frame)
        }
    }

    private func checkedProviders(_ introspection: ProviderIntrospection, id: RPCID) async -> ProvidersListResult {
        let result = await introspection.providers(check: true)
        let failing = result.providers.filter { $0.check?.ok == false }.map(\.name)
        daemon.logger.debug(
            "providers checked",
            metadata: ["request_id": "\(id)", "providers": "\(result.providers.count)", "failing": "\(failing)"]
        )
        return result
    }

    private func models(
        _ introspection: ProviderIntrospection,
        provider: String?,
        id: RPCID
    ) async -> Result<ModelsListResult, RPCError> {
        do throws(RPCError) {
            return .success(try await introspection.models(provider: provider))
        } catch {
            daemon.logger.info(
                "models.list failed",
                metadata: [
                    "request_id": "\(id)", "provider": "\(provider ?? "all")", "error_type": "\(error.type)",
                    "error": "\(error.message)",
                ]
            )
            return .failure(error)
        }
    }
}
