import NeuroLinkProtocol

/// Decides when a `stream` with `enableAnalytics` gets its next `analytics` chunk: at most once per
/// interval, riding along with a batch of the answer (never a write of its own).
struct LiveAnalyticsClock: Sendable {
    let receivedAt: ContinuousClock.Instant
    let interval: Duration
    private var lastSent: ContinuousClock.Instant

    init(receivedAt: ContinuousClock.Instant, interval: Duration) {
        self.receivedAt = receivedAt
        self.interval = interval
        lastSent = receivedAt
    }

    /// The figures to send now, or `nil` when the last ones went out less than an interval ago.
    mutating func figures(
        now: ContinuousClock.Instant,
        firstChunkAt: ContinuousClock.Instant?,
        deliveredBytes: Int
    ) -> LiveAnalytics? {
        guard now - lastSent >= interval else { return nil }
        lastSent = now
        let elapsedMs = Milliseconds.of(now - receivedAt)
        let firstMs = firstChunkAt.map { Milliseconds.of($0 - receivedAt) }
        let outputTokens = UsageEstimate.tokens(bytes: deliveredBytes)
        return LiveAnalytics(
            elapsedMs: elapsedMs,
            timeToFirstChunkMs: firstMs,
            outputTokens: outputTokens,
            tokensPerSecond: ResultAnalytics.tokensPerSecond(
                outputTokens: outputTokens,
                durationMs: elapsedMs,
                timeToFirstChunkMs: firstMs
            )
        )
    }
}

extension ResultAnalytics {
    /// The figures of a finished request, as its result reports them.
    init(_ result: StreamResult) {
        self.init(
            provider: result.provider,
            model: result.model,
            timeToFirstChunkMs: result.timings.timeToFirstChunkMs,
            durationMs: result.timings.durationMs,
            tokensPerSecond: ResultAnalytics.tokensPerSecond(
                outputTokens: result.usage?.outputTokens ?? 0,
                durationMs: result.timings.durationMs,
                timeToFirstChunkMs: result.timings.timeToFirstChunkMs
            ),
            usage: result.usage,
            cost: result.cost
        )
    }
}
