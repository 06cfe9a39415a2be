import Logging
import NeuroLinkHTTP
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

extension RequestPipeline {
    /// Stage 5: routes to a member and streams its answer to `sink`.
    ///
    /// Before any part of the answer reached the client, a transient failure is retried (same
    /// member, after a full-jitter backoff that honours `retry-after`) or failed over (another
    /// member the pool's `failover` modes allow), up to the pool's `max_attempts` and within the
    /// daemon-wide retry budget; each one is announced with a `notice` chunk. Afterwards a failure
    /// ends the request with an error carrying the usage so far, unless the request asked to
    /// `continueOnFailure`, in which case another member continues the answer.
    public func execute(_ prepared: PreparedRequest, context: RequestContext, sink: inout some ChunkSink) async
        -> Result<StreamResult, RPCError>
    {
        let pool = prepared.pool
        let runtime = pool.runtime
        let required = pool.configured ? prepared.requiredCapabilities : []
        router.retryBudget.recordRequest(now: .now)
        var attempts: [RouteInfo.Attempt] = []
        var tried: Set<Int> = []
        var minContextWindow: Int?
        var last: (member: Int, error: RPCError, failure: FailureClass)?
        var run: StreamRun?
        var route = prepared.route
        // The request's own `timeoutMs` bounds the whole request, retries and waits included.
        let deadline = prepared.requestTimeoutMs.map { context.receivedAt + .milliseconds($0) }

        while true {
            let plan = runtime.plan(requiredCapabilities: required, minContextWindow: minContextWindow, now: .now)
            if last == nil {
                route.skipped += plan.skipped.map { RouteInfo.Skipped(provider: pool.members[$0.member].label, reason: $0.reason) }
                if let lastResort = plan.lastResort {
                    route.reason += "; \(lastResort.reason)"
                }
            }
            let candidates = plan.candidates.filter { prepared.allowedMembers?.contains($0) ?? true }
            guard let member = nextMember(candidates, after: last, tried: tried, pool: pool) else {
                return .failure(finalError(last?.error, pool: pool, plan: plan))
            }
            var wait = Duration.zero
            if let last {
                guard attempts.count < pool.maxAttempts else { return .failure(finalError(last.error, pool: pool, plan: plan)) }
                if member == last.member {
                    var generator = SystemRandomNumberGenerator()
                    wait = router.backoff.delay(attempt: attempts.count - 1, retryAfter: FailureClassifier.retryAfter(last.error),
                                                using: &generator)
                    guard wait <= .milliseconds(router.settings.maxRetryWaitMs) else {
                        return .failure(finalError(last.error, pool: pool, plan: plan))
                    }
                }
                if let deadline, ContinuousClock.now + wait >= deadline {
                    return .failure(finalError(last.error, pool: pool, plan: plan))
                }
                guard router.retryBudget.tryAcquireRetry(now: .now) else {
                    var error = last.error
                    error.message += " (not retried: the daemon's retry budget is used up)"
                    return .failure(finalError(error, pool: pool, plan: plan))
                }
                let notice = Notice(kind: member == last.member ? Notice.retry : Notice.failover, attempt: attempts.count + 1,
                                    waitMs: Int(wait.milliseconds), reason: last.failure.rawValue,
                                    from: pool.members[last.member].label,
                                    to: member == last.member ? nil : pool.members[member].label)
                do { try await run?.notify(notice, sink: &sink) } catch {
                    return .failure(RPCError(.cancelled, "the client connection closed"))
                }
                guard await context.wait(for: wait) else {
                    let reason = context.cancelReason ?? .cancelled
                    return .failure(RPCError(reason, reason == .shuttingDown ? "the daemon is shutting down" : "the request was cancelled"))
                }
            }
            guard runtime.begin(member, now: .now, force: plan.lastResort?.member == member) else {
                // The breaker let another request take the last half-open probe slot meanwhile.
                tried.insert(member)
                continue
            }
            let remainingMs = deadline.map { max(1, Int((($0 - ContinuousClock.now) / .milliseconds(1)).rounded(.up))) }
            let target = pool.members[member].target(index: member, requestTimeoutMs: remainingMs)
            let continuing = run?.answerDelivered ?? false
            if run == nil {
                run = StreamRun(target: target, schema: prepared.chat.schema, context: context)
            } else {
                run?.beginAttempt(on: target, continuing: continuing)
            }
            var chat = prepared.chat
            chat.model = target.model
            if continuing, let delivered = run?.text, !delivered.isEmpty {
                chat.messages.append(ChatMessage(role: "assistant", content: delivered))
            }
            guard var current = run else { continue }
            let outcome: RPCError?
            do {
                try await current.perform(chat, http: http, sink: &sink)
                outcome = nil
            } catch {
                outcome = current.failure(error, secrets: registry.secrets)
            }
            run = current
            attempts.append(RouteInfo.Attempt(member: target.label, outcome: outcome == nil ? "ok" : "failed",
                                               waitMs: wait > .zero ? Int(wait.milliseconds) : nil))
            guard var error = outcome else {
                let transition = runtime.recordSuccess(
                    member, timeToFirstChunk: current.attemptFirstDeltaAt.map { $0 - current.attemptStartedAt },
                    duration: .now - current.attemptStartedAt, outputTokens: current.usage?.outputTokens ?? current.deltasReceived,
                    now: .now)
                if let transition { logBreaker(transition, pool: pool, member: target.label) }
                route.member = target.label
                if attempts.count > 1 { route.attempts = attempts }
                return .success(current.result(route: route))
            }
            // A failure the client caused (cancel, disconnect) or the drain says nothing about the member.
            if error.type == .cancelled || error.type == .shuttingDown {
                runtime.release(member)
                return .failure(error)
            }
            let failure = FailureClassifier.classify(error)
            error.data.failureClass = failure
            attempts[attempts.count - 1].outcome = failure.rawValue
            if let transition = runtime.recordFailure(member, failure, retryAfter: FailureClassifier.retryAfter(error), now: .now) {
                logBreaker(transition, pool: pool, member: target.label)
            }
            tried.insert(member)
            last = (member, error, failure)
            route.member = target.label
            route.attempts = attempts
            error.data.route = route
            last?.error = error
            if current.answerDelivered {
                // Never splice silently: only an explicit request continues on another member.
                guard prepared.continueOnFailure, failure.isTransient else { return .failure(error) }
                continue
            }
            switch failure {
            case .contextLength:
                guard let window = pool.members[member].spec.contextWindow else { return .failure(error) }
                minContextWindow = window + 1
            case let failure where !failure.isTransient:
                return .failure(error)
            default:
                break
            }
        }
    }

    private func logBreaker(_ transition: BreakerTransition, pool: Router.Pool, member: String) {
        logger.notice("circuit breaker \(transition.from) → \(transition.to)", metadata: [
            "pool": "\(pool.name)", "member": "\(member)", "reason": "\(transition.reason)",
        ])
    }

    /// The member of the next attempt: the first candidate for the first attempt; after a failure,
    /// another untried member the pool's failover modes allow, else the same member again.
    private func nextMember(_ candidates: [Int], after last: (member: Int, error: RPCError, failure: FailureClass)?,
                            tried: Set<Int>, pool: Router.Pool) -> Int? {
        guard let last else { return candidates.first { !tried.contains($0) } }
        let failed = pool.members[last.member]
        if let other = candidates.first(where: { !tried.contains($0) && Self.mayFailOver(from: failed, to: pool.members[$0], modes: pool.failover) }) {
            return other
        }
        guard last.failure.isTransient, candidates.contains(last.member) else { return nil }
        return last.member
    }

    /// Whether a failover from `failed` to `next` is a change the pool allows.
    static func mayFailOver(from failed: Router.Member, to next: Router.Member, modes: Set<DaemonConfig.FailoverMode>) -> Bool {
        if failed.entry.config.name == next.entry.config.name {
            return failed.model == next.model || modes.contains(.modelSwitch)
        }
        if failed.entry.config.type == next.entry.config.type, failed.model == next.model {
            return modes.contains(.endpointSwitch)
        }
        return modes.contains(.providerSwitch)
    }

    /// The error a request ends with when no further attempt is possible.
    private func finalError(_ last: RPCError?, pool: Router.Pool, plan: RoutePlan) -> RPCError {
        if let last { return last }
        let reasons = plan.skipped.map { "\(pool.members[$0.member].label): \($0.reason)" }
        let detail = reasons.isEmpty ? "no member can take the request" : reasons.joined(separator: "; ")
        return RPCError(.noProviderAvailable, "pool \"\(pool.name)\": \(detail)")
    }
}
