import NeuroLinkBasics
import NeuroLinkLimits
import NeuroLinkProtocol

extension AdmissionController {
    /// The limits section of `status` at `now`: every scope's buckets and counters, every provider's
    /// reported limits and adaptive limit, and the admission queue.
    public func limitsStatus(now: ContinuousClock.Instant = .now) async -> LimitsStatus {
        let snapshot = await limiter.status(now: now)
        let queue = queueStatus(now: now)
        let settings = limiter.config.queue
        // Provider resets are monotonic instants; status reports them as wall-clock times too.
        // Every duration becomes whole milliseconds through NeuroLinkBasics, which saturates, and is
        // clamped to 2⁵³ − 1 so that every JSON reader gets it exactly.
        let wallNow = WallClock.now
        return LimitsStatus(
            scopes: snapshot.scopes.map(Self.scopeStatus).sorted { $0.scope < $1.scope },
            providers: snapshot.members.map { Self.providerStatus($0, now: now, wallNow: wallNow) },
            queue: AdmissionQueueStatus(
                strategy: settings.strategy.rawValue,
                maxSize: settings.maxSize,
                maxWaitMs: settings.maxWait.wholeMilliseconds(rounding: .up).clampedCount,
                depth: queue.depth,
                oldestWaitMs: queue.oldestWaitMs,
                queued: queue.counters.enqueued,
                admitted: queue.counters.served,
                timedOut: queue.counters.timedOut,
                cancelled: queue.counters.cancelled,
                rejected: queue.counters.rejected,
                overloaded: queue.counters.overloaded
            )
        )
    }

    static func scopeStatus(_ scope: ScopeStatus) -> LimitScopeStatus {
        // The limiter says "member"; everything users see (configuration, errors) says "provider".
        let (name, kind, tenant, provider): (String, String, String?, String?) =
            switch scope.scope {
            case .global: ("global", "global", nil, nil)
            case .member(let member): ("provider:\(member)", "provider", nil, member)
            case .tenant(let key): ("tenant:\(key)", "tenant", "\(key)", nil)
            case .tenantMember(let key, let member):
                ("tenant:\(key)/provider:\(member)", "tenant_provider", "\(key)", member)
            }
        let buckets = LimitDimension.allCases.compactMap { dimension -> LimitBucketStatus? in
            guard let capacity = scope.capacity[dimension] else { return nil }
            return LimitBucketStatus(
                dimension: dimension.rawValue,
                remaining: max(0, scope.remaining[dimension] ?? 0),
                capacity: capacity
            )
        }
        var rejections: [String: Int] = [:]
        for (reason, count) in scope.rejections where count > 0 { rejections[reason.rawValue] = count }
        return LimitScopeStatus(
            scope: name,
            kind: kind,
            tenant: tenant,
            provider: provider,
            currentRate: scope.currentRate.isFinite ? max(0, scope.currentRate) : 0,
            buckets: buckets,
            inFlight: scope.inFlight,
            maxInFlight: scope.maxInFlight,
            admitted: scope.admitted,
            rejections: rejections
        )
    }

    static func providerStatus(
        _ member: MemberLimitStatus,
        now: ContinuousClock.Instant,
        wallNow: Duration
    ) -> ProviderLimitStatus {
        var status = ProviderLimitStatus(provider: member.member, pacing: "open", adaptiveLimit: member.adaptiveLimit)
        switch member.pacing {
        case .open: break
        case .paced(let interval):
            status.pacing = "paced"
            status.pacingIntervalMs = interval.wholeMilliseconds(rounding: .up).clampedCount
        case .paused(let until):
            let left = until > now ? until - now : .zero
            status.pacing = "paused"
            status.pausedForMs = left.wholeMilliseconds(rounding: .up).clampedCount
            status.pausedUntil = (wallNow + left).secondsValue
        }
        status.reported = LimitDimension.allCases.compactMap { dimension in
            guard let window = member.reported[dimension] else { return nil }
            let reset = window.resetAt.flatMap { $0 > now ? $0.millisecondsLeft(after: now).clampedCount : nil }
            return ProviderWindowStatus(
                dimension: dimension.rawValue,
                limit: window.limit,
                remaining: window.remaining,
                resetInMs: reset
            )
        }
        return status
    }

}
