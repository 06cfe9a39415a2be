import NIOCore
import NeuroLinkAnalytics
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Connection {
    /// `analytics.report` and `analytics.export`: read from the database in a child task, so a
    /// long query never holds up the connection's other requests. A caller sees its own tenant's
    /// rows; root and `server.admin_group` see every tenant's.
    func handleAnalytics(_ request: InboundRequest, group: inout DiscardingTaskGroup) {
        guard let id = request.id else { return }
        let visibility: AnalyticsStore.Visibility =
            caller.isAdmin ? .all : .tenant(daemon.runner.resolveTenant(of: caller, userId: nil).tenant.name)
        group.addTask { [self] in
            let frame: ByteBuffer
            do throws(RPCError) {
                let store = try daemon.analytics.store()
                frame =
                    request.method == Method.analyticsReport
                    ? Frames.reply(id: id, .success(try await report(request, store, visibility)), allocator: allocator)
                    : Frames.reply(id: id, .success(try await export(request, store, visibility)), allocator: allocator)
            } catch {
                frame = Frames.error(id: id, error, allocator: allocator)
            }
            await send(frame)
        }
    }

    private func report(
        _ request: InboundRequest,
        _ store: AnalyticsStore,
        _ visibility: AnalyticsStore.Visibility
    ) async throws(RPCError) -> AnalyticsReport {
        let params = try AnalyticsReportRequest(json: request.params)
        let until = params.until ?? Date().timeIntervalSince1970
        do {
            return try await store.report(params, until: until, visibility: visibility)
        } catch {
            throw Self.unavailable(error, store)
        }
    }

    private func export(
        _ request: InboundRequest,
        _ store: AnalyticsStore,
        _ visibility: AnalyticsStore.Visibility
    ) async throws(RPCError) -> AnalyticsExportPage {
        let params = try AnalyticsExportRequest(json: request.params)
        let until = params.until ?? Date().timeIntervalSince1970
        do {
            return try await store.export(params, until: until, visibility: visibility)
        } catch {
            throw Self.unavailable(error, store)
        }
    }

    private static func unavailable(_ error: any Error, _ store: AnalyticsStore) -> RPCError {
        RPCError(
            .analyticsUnavailable,
            "the analytics database cannot be read: \(AnalyticsError(path: store.path, error))"
        )
    }
}
