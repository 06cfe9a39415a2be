import NeuroLinkAlerts
import NeuroLinkBasics
import NeuroLinkCache
import NeuroLinkCore
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkMetrics
import NeuroLinkProtocol

#if canImport(Glibc)
import Glibc
#endif

extension DaemonState {
    var health: String { isDraining ? "draining" : "ok" }

    /// The status as `caller` may see it: admins (root, `server.admin_group`) see everything;
    /// others see aggregates, the shared scopes and their own tenant's, and no credential paths.
    func status(for caller: Caller) async -> StatusResult {
        var status = await status()
        status.analytics = analytics.status(admin: caller.isAdmin)
        status.alerts = alerts.statuses
        status.cache = cache?.stats(showError: caller.isAdmin)
        status.mcp = mcp?.statuses
        guard !caller.isAdmin else { return status }
        return status.visible(to: runner.resolveTenant(of: caller, userId: nil).tenant.name)
    }

    /// `metrics` and the `/metrics` listener: the Prometheus text, with state gauges as of now.
    func metricsText() async -> String {
        var status = await status()
        status.analytics = analytics.status(admin: true)
        status.cache = cache?.stats(showError: true)
        return metrics.exposition(status)
    }

    // MARK: Status

    /// The full status, as an admin sees it.
    func status() async -> StatusResult {
        let generation = current
        let snapshot = stats.snapshot
        // Bucket levels come from the limiter's store, which may be remote later: hence async.
        let limits = await admission.limitsStatus(now: .now)
        let buffers = await http.bufferSnapshot()
        var status = StatusResult(
            version: ProtocolInfo.release,
            protocolVersion: ProtocolInfo.version,
            pid: Int(getpid()),
            uptimeSeconds: (ContinuousClock.now - startedAt).secondsValue,
            socketPath: socketPath,
            configPath: generation.config.sourcePath,
            providers: generation.registry.statuses,
            defaultProvider: generation.config.defaults.provider,
            activeStreams: activeStreams,
            activeConnections: snapshot.activeConnections,
            totals: snapshot.totals,
            lastReload: lastReload,
            systemd: supervision.status,
            pools: generation.router.poolStatuses(now: .now),
            retryBudget: generation.router.retryBudgetStatus(now: .now),
            limits: limits
        )
        status.streamBuffers = StreamBufferStatus(
            bufferedBytes: buffers.bufferedBytes,
            budgetBytes: buffers.budgetBytes,
            peakBufferedBytes: buffers.peakBufferedBytes,
            activeTransfers: buffers.activeTransfers,
            pausedTransfers: buffers.pausedTransfers,
            budgetHeldTransfers: buffers.budgetHeldTransfers,
            pausedTimeouts: buffers.pausedTimeouts
        )
        return status
    }

}

extension StatusResult {
    /// What a tenant that is not an admin may see: other tenants' scopes and the paths or names
    /// of credentials are left out.
    func visible(to tenant: String) -> StatusResult {
        var status = self
        status.providers = providers.map { provider in
            var provider = provider
            provider.credentialSource = Self.credentialKind(provider.credentialSource)
            return provider
        }
        status.limits?.scopes.removeAll { scope in
            guard let owner = scope.tenant else { return false }
            return owner != tenant && !owner.hasPrefix(tenant + "/")
        }
        return status
    }

    /// `file:/etc/keys/openai` → `file`; `credential:openai.api_key` → `credential`; others unchanged.
    private static func credentialKind(_ source: String) -> String {
        for kind in ["file", "credential"] where source.hasPrefix(kind + ":") { return kind }
        return source
    }
}
