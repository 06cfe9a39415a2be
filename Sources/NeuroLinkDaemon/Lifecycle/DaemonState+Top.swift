import NeuroLinkAlerts
import NeuroLinkBasics
import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DaemonState {
    /// Seconds of finished requests the per-provider figures of `top` cover.
    static let topWindowSeconds = 60

    /// `top`: running requests (the caller's tenant's only, unless an admin asks), per-provider
    /// figures of the last minute, the queue, breakers not closed and firing alerts.
    func top(for caller: Caller) async -> TopSnapshot {
        let now = Date().timeIntervalSince1970
        let tenant = caller.isAdmin ? nil : runner.resolveTenant(of: caller, userId: nil).tenant.name
        let streams = requests.running
            .filter { tenant == nil || $0.caller.tenant.name == tenant }
            .map(Self.activeStream)
            .sorted { $0.elapsedMs > $1.elapsedMs }
        let window = Self.topWindowSeconds
        let providers = alerts.window.figuresByProvider(windowMs: window * 1000, now: now)
            .map { name, figures in
                TopSnapshot.ProviderActivity(
                    provider: name,
                    requestsPerSecond: Double(figures.requests) / Double(window),
                    p50FirstChunkMs: figures.p50FirstChunkMs,
                    p95FirstChunkMs: figures.p95FirstChunkMs,
                    errorRate: figures.errorRate ?? 0
                )
            }
            .sorted { $0.provider < $1.provider }
        let status = await status()
        let breakers = (status.pools ?? []).flatMap { pool in
            pool.members.filter { $0.breaker != "closed" }.map {
                TopSnapshot.BreakerState(pool: pool.name, member: $0.member, state: $0.breaker)
            }
        }
        return TopSnapshot(
            at: now,
            streams: streams,
            providers: providers,
            windowSeconds: window,
            queueDepth: status.limits?.queue.depth ?? 0,
            breakers: breakers,
            firingAlerts: alerts.statuses.filter { $0.state == "firing" }
        )
    }

    private static func activeStream(_ context: RequestContext) -> TopSnapshot.ActiveStream {
        let progress = context.progress.snapshot
        let now = ContinuousClock.now
        let elapsedMs = (now - context.receivedAt).millisecondsValue
        let tokens = UsageEstimate.tokens(bytes: progress.deliveredBytes)
        return TopSnapshot.ActiveStream(
            requestId: context.id.description,
            method: context.method,
            tenant: context.caller.tenant.description,
            provider: progress.provider,
            model: progress.model,
            elapsedMs: (elapsedMs * 10).rounded() / 10,
            outputTokens: tokens,
            tokensPerSecond: progress.firstChunkAt.flatMap { first in
                ResultAnalytics.tokensPerSecond(
                    outputTokens: tokens,
                    durationMs: elapsedMs,
                    timeToFirstChunkMs: (first - context.receivedAt).millisecondsValue
                )
            }
        )
    }
}
