import NeuroLinkBasics
import NeuroLinkLimits
import NeuroLinkProtocol
import Synchronization

/// Stage 2 of the pipeline: admits a request against every rate, token and in-flight limit that
/// applies to it, or makes it wait in the bounded, fair admission queue.
///
/// One controller lives as long as the daemon (a reload updates its settings in place), so buckets,
/// in-flight counts and queued requests survive reloads. Queued requests are admitted by
/// ``pump(now:)``, which runs whenever a permit is released and on a short timer while anything
/// waits (see the daemon's `AdmissionService`).
public final class AdmissionController: Sendable {
    public let limiter: Limiter

    /// One queued request: the limiter requests of its candidate members, in preference order.
    struct Waiter: Sendable {
        let requests: [AdmissionRequest]
        let slot: WaitSlot<Outcome>
    }

    /// How an admission ended.
    enum Outcome: Sendable {
        /// Admitted for `requests[index]`.
        case admitted(index: Int, permit: AdmissionPermit)
        /// Not admitted; `refusal` says how for the request's record (`nil`: it was cancelled).
        case failed(RPCError, refusal: RequestRecord.Outcome?)
    }

    private struct State {
        var queue: AdmissionQueue<Waiter>
        var tenantMapping: TenantMapping
        var pumping = false
        var pumpAgain = false
        /// The timer's wait for a first queued request (see ``waitForQueuedRequest()``).
        var idleTimer: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    public init(config: RateLimitConfig) {
        limiter = Limiter(config: config)
        state = Mutex(State(queue: AdmissionQueue(settings: config.queue), tenantMapping: config.tenantMapping))
    }

    /// The controller of a daemon configuration's `rate_limits` (nothing limited without it).
    public convenience init(config: DaemonConfig) {
        self.init(config: config.rateLimits.resolved())
    }

    /// Applies a reloaded daemon configuration's `rate_limits`.
    public func update(config: DaemonConfig) async {
        await update(config: config.rateLimits.resolved())
    }

    /// Applies a reloaded configuration; waiting requests stay queued.
    public func update(config: RateLimitConfig) async {
        await limiter.update(config: config)
        state.withLock { state in
            state.queue.settings = config.queue
            state.tenantMapping = config.tenantMapping
        }
    }

    /// The tenant of a connection's request: config maps uids, user names and gids to tenants;
    /// `userId` (the request's `context.userId`) becomes a sub-key when configured.
    public func tenant(uid: UInt32, gid: UInt32, username: String?, userId: String?) -> TenantKey {
        state.withLock { $0.tenantMapping.tenant(uid: uid, gid: gid, username: username, userId: userId) }
    }

    /// Whether anything waits in the queue (the timer only pumps then).
    public var hasWaiting: Bool { state.withLock { !$0.queue.isEmpty } }

    /// Returns once a request is queued (at once if one is), or when the calling task is
    /// cancelled: the timer sleeps here instead of waking while nothing waits.
    public func waitForQueuedRequest() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    guard state.queue.isEmpty, !Task.isCancelled else { return true }
                    state.idleTimer?.resume()
                    state.idleTimer = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let timer = state.withLock { state in
                defer { state.idleTimer = nil }
                return state.idleTimer
            }
            timer?.resume()
        }
    }

    /// Queue depth and the oldest wait, for status.
    public func queueStatus(now: ContinuousClock.Instant) -> (depth: Int, oldestWaitMs: Int?, counters: QueueCounters) {
        state.withLock { state in
            (
                state.queue.count,
                state.queue.oldestEnqueuedAt.map {
                    $0.duration(to: now).wholeMilliseconds(rounding: .down).clampedCount
                },
                state.queue.counters
            )
        }
    }

    /// Admits the request for the first of `requests` (one per candidate member, in preference
    /// order) that every limit allows. When none is allowed: with strategy `reject`, fails with
    /// `rate_limited` and the shortest wait; with `queue`, waits in the queue (calling `queued`
    /// with the position first) until admitted, timed out, or cancelled through `context`.
    func admit(
        _ requests: [AdmissionRequest],
        tenant: TenantKey,
        priority: Int?,
        context: RequestContext,
        queued: (Notice) async -> Void
    ) async -> Outcome {
        let now = ContinuousClock.now
        var denials: [LimitDenial] = []
        for index in requests.indices {
            switch await limiter.admit(requests[index], now: now) {
            case .admitted(let permit): return .admitted(index: index, permit: permit)
            case .denied(let denial): denials.append(denial)
            }
        }
        return await wait(requests, tenant: tenant, priority: priority, context: context, denials, now: now, queued)
    }

    /// The request no limit allowed now: refused, or queued until admitted, timed out, or cancelled.
    /// Out of line: this frame is larger than the one admitting at once, and few requests wait.
    @inline(never)
    private func wait(
        _ requests: [AdmissionRequest],
        tenant: TenantKey,
        priority: Int?,
        context: RequestContext,
        _ denials: [LimitDenial],
        now: ContinuousClock.Instant,
        _ queued: (Notice) async -> Void
    ) async -> Outcome {
        let slot = WaitSlot<Outcome>()
        let result = state.withLock { state in
            state.queue.enqueue(Waiter(requests: requests, slot: slot), tenant: tenant, priority: priority, now: now)
        }
        if case .queued = result {
            let timer = state.withLock { state in
                defer { state.idleTimer = nil }
                return state.idleTimer
            }
            timer?.resume()
        }
        switch result {
        case .rejected:
            return .failed(Self.rateLimited(denials), refusal: .rejected)
        case .overloaded:
            return .failed(
                RPCError(
                    .overloaded,
                    "the admission queue is full; try again later",
                    data: ErrorData(type: .overloaded, retryable: true)
                ),
                refusal: .rejected
            )
        case .queued(let ticket, let position, let wait):
            context.setCancelHandler { [weak self] in self?.cancel(ticket, reason: context.cancelReason ?? .cancelled) }
            defer { context.setCancelHandler(nil) }
            await queued(
                Notice(
                    kind: Notice.queued,
                    waitMs: wait.map { $0.wholeMilliseconds(rounding: .up).clampedCount },
                    position: position
                )
            )
            let queuedAt = ContinuousClock.now
            defer { context.spentQueued(since: queuedAt) }
            return await slot.wait()
        }
    }

    /// Admits a request that does not run through the pipeline (the HTTP front's embeddings)
    /// against every limit that applies to it. It never queues: a refusal is `rate_limited` at once.
    public func admitNow(_ request: AdmissionRequest) async -> Result<AdmissionPermit, RPCError> {
        switch await limiter.admit(request, now: .now) {
        case .admitted(let permit): .success(permit)
        case .denied(let denial): .failure(Self.rateLimited([denial]))
        }
    }

    /// The end of a request admitted by ``admitNow(_:)``: charges its real usage, releases its
    /// slots, and lets waiting requests in.
    public func finish(_ permit: AdmissionPermit, usage: TokenUsage) async {
        await limiter.finish(permit, actual: usage, now: .now)
        await pump()
    }

    /// Admits queued requests in the queue's fair service order for as long as the limits allow,
    /// and fails those that waited longer than `max_queue_wait_ms`. Concurrent calls coalesce.
    public func pump(now: ContinuousClock.Instant = .now) async {
        let claimed = state.withLock { state -> Bool in
            // Every attempt's end pumps: with nothing queued (the usual case) that must cost nothing.
            guard !state.queue.isEmpty else { return false }
            guard !state.pumping else {
                state.pumpAgain = true
                return false
            }
            state.pumping = true
            return true
        }
        guard claimed else { return }
        var again = true
        while again {
            let (expired, candidates) = state.withLock { state in
                state.pumpAgain = false
                return (state.queue.expire(now: .now), state.queue.candidates())
            }
            for entry in expired {
                entry.payload.slot.resolve(
                    .failed(
                        RPCError(
                            .rateLimited,
                            "rate limited by the daemon: waited in the admission queue longer than its maximum wait",
                            data: ErrorData(type: .rateLimited, retryable: true)
                        ),
                        refusal: .queueTimeout
                    )
                )
            }
            var admittedAny = false
            for entry in candidates {
                for (index, request) in entry.payload.requests.enumerated() {
                    guard case .admitted(let permit) = await limiter.admit(request, now: .now, countingRejection: false)
                    else { continue }
                    admittedAny = true
                    let taken = state.withLock { $0.queue.take(entry.ticket, now: .now) }
                    if taken == nil || !entry.payload.slot.resolve(.admitted(index: index, permit: permit)) {
                        // The request left (cancelled) while it was being admitted.
                        await limiter.cancel(permit, now: .now)
                    }
                    break
                }
            }
            // Each round only sees every tenant's oldest request: after admitting some, look again.
            again = state.withLock { state in
                let more = state.pumpAgain || (admittedAny && !state.queue.isEmpty)
                if !more { state.pumping = false }
                return more
            }
        }
    }

    /// The error of a request no limit let through: which limit of which scope, and the
    /// shortest wait after which one of its candidate members could take it.
    static func rateLimited(_ denials: [LimitDenial]) -> RPCError {
        let shortest = denials.compactMap(\.retryAfter).min()
        let what = denials.first.map { "\(describe($0.reason)) of \(describe($0.scope))" } ?? "a rate limit"
        // At most 2⁵³ − 1: a bucket deep in debt (after a provider's absurd usage report) may ask
        // for a wait longer than any JSON reader holds exactly.
        let retryAfterMs = shortest.map { $0.wholeMilliseconds(rounding: .up).clampedCount }
        return RPCError(
            .rateLimited,
            "rate limited by the daemon: \(what)",
            data: ErrorData(type: .rateLimited, retryable: true, retryAfterMs: retryAfterMs)
        )
    }

    private static func describe(_ reason: DenialReason) -> String {
        switch reason {
        case .requests: "the request rate limit"
        case .tokens: "the token limit"
        case .inputTokens: "the input token limit"
        case .outputTokens: "the output token limit"
        case .concurrency: "the in-flight limit"
        case .providerPaused: "the provider's own limit (it reported none left, or answered 429)"
        case .providerPacing: "the provider's own limit (little left until its reset)"
        }
    }

    private static func describe(_ scope: LimitScope) -> String {
        switch scope {
        case .global: "the daemon (global)"
        case .member(let provider): "provider \(provider)"
        case .tenant(let tenant): "tenant \(tenant)"
        case .tenantMember(let tenant, let provider): "tenant \(tenant) on provider \(provider)"
        }
    }

    private func cancel(_ ticket: QueueTicket, reason: ErrorType) {
        let waiter = state.withLock { $0.queue.remove(ticket)?.payload }
        waiter?.slot.resolve(.failed(.stopped(reason, while: "queued"), refusal: nil))
    }
}
