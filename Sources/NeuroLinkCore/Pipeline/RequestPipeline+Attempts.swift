import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

extension RequestPipeline {
    /// Stages 2 and 5: admits the request against the rate limits, routes it to a member and
    /// streams its answer to `sink`.
    ///
    /// The first attempt goes to the first member of the strategy's order that every limit allows;
    /// when none is allowed the request waits in the admission queue (or is refused with
    /// `rate_limited`, by configuration). Before any part of the answer reached the client, a
    /// transient failure is retried (same member, after a full-jitter backoff that honours
    /// `retry-after`) or failed over (another member the pool's `failover` modes allow), up to the
    /// pool's `max_attempts` and within the daemon-wide retry budget; each one is announced with a
    /// `notice` chunk. Afterwards a failure ends the request with an error carrying the usage so
    /// far, unless the request asked to `continueOnFailure`, in which case another member continues
    /// the answer.
    public func execute(
        _ prepared: PreparedRequest,
        context: RequestContext,
        tenant: TenantKey = TenantKey("default"),
        sink: inout some ChunkSink
    ) async -> Result<StreamResult, RPCError> {
        let pool = prepared.pool
        let runtime = pool.runtime
        let required = pool.configured ? prepared.requiredCapabilities : []
        router.retryBudget.recordRequest(now: .now)
        var attempts: [RouteInfo.Attempt] = []
        var tried: Set<Int> = []
        var minContextWindow: Int?
        var last: (member: Int, error: RPCError, failure: FailureClass)?
        var run = StreamRun(
            target: pool.members[0].target(index: 0, requestTimeoutMs: nil),
            schema: prepared.chat.schema,
            context: context
        )
        var route = prepared.route
        // The request's own `timeoutMs` bounds the whole request, retries and waits included.
        let deadline = prepared.requestTimeoutMs.map { context.receivedAt + .milliseconds($0) }
        let inputCharacters = prepared.chat.messages.reduce(0) { $0 + $1.content.utf8.count }

        while true {
            let plan = runtime.plan(requiredCapabilities: required, minContextWindow: minContextWindow, now: .now)
            if last == nil {
                route.skipped += plan.skipped.map {
                    RouteInfo.Skipped(provider: pool.members[$0.member].label, reason: $0.reason)
                }
                if let lastResort = plan.lastResort { route.reason += "; \(lastResort.reason)" }
            }
            let candidates = plan.candidates.filter { prepared.allowedMembers?.contains($0) ?? true }
            func admissionRequest(_ member: Int) -> AdmissionRequest {
                AdmissionRequest(
                    tenant: tenant,
                    member: pool.members[member].entry.config.name,
                    inputCharacters: inputCharacters,
                    maxOutputTokens: prepared.chat.maxTokens
                )
            }

            // Choose the member and take its admission permit.
            let member: Int
            let permit: AdmissionPermit
            var wait = Duration.zero
            if let last {
                guard let next = nextMember(candidates, after: last, tried: tried, pool: pool),
                    attempts.count < pool.maxAttempts
                else {
                    return .failure(finalError(last.error, pool: pool, plan: plan))
                }
                member = next
                if member == last.member {
                    var generator = SystemRandomNumberGenerator()
                    wait = router.backoff.delay(
                        attempt: attempts.count - 1,
                        retryAfter: FailureClassifier.retryAfter(last.error),
                        using: &generator
                    )
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
                let notice = Notice(
                    kind: member == last.member ? Notice.retry : Notice.failover,
                    attempt: attempts.count + 1,
                    waitMs: Int(wait.milliseconds),
                    reason: last.failure.rawValue,
                    from: pool.members[last.member].label,
                    to: member == last.member ? nil : pool.members[member].label
                )
                do { try await run.notify(notice, sink: &sink) } catch {
                    return .failure(RPCError(.cancelled, "the client connection closed"))
                }
                guard await context.wait(for: wait) else { return .failure(cancelled(context)) }
                // A retry is not queued: it runs now within the limits, or the failure stands.
                guard case .admitted(let granted) = await admission.limiter.admit(admissionRequest(member), now: .now)
                else {
                    var error = last.error
                    error.message += " (not retried: \(pool.members[member].label) is at its rate limit)"
                    return .failure(finalError(error, pool: pool, plan: plan))
                }
                permit = granted
            } else {
                let order = candidates.filter { !tried.contains($0) }
                guard !order.isEmpty else { return .failure(finalError(nil, pool: pool, plan: plan)) }
                let outcome = await admission.admit(
                    order.map(admissionRequest),
                    tenant: tenant,
                    priority: prepared.priority,
                    context: context
                ) { notice in
                    // A client gone meanwhile is noticed through the cancellation of the request.
                    try? await run.notify(notice, sink: &sink)
                }
                switch outcome {
                case .failed(let error): return .failure(error)
                case .admitted(let index, let granted):
                    member = order[index]
                    permit = granted
                }
            }

            guard runtime.begin(member, now: .now, force: plan.lastResort?.member == member) else {
                // The breaker let another request take the last half-open probe slot meanwhile.
                await admission.limiter.cancel(permit, now: .now)
                tried.insert(member)
                continue
            }
            let remainingMs = deadline.map { max(1, Int((($0 - ContinuousClock.now) / .milliseconds(1)).rounded(.up))) }
            let target = pool.members[member].target(index: member, requestTimeoutMs: remainingMs)
            let continuing = run.answerDelivered
            run.beginAttempt(on: target, continuing: continuing)
            run.headObserver = { [limiter = admission.limiter] _, headers in
                limiter.observe(
                    headers: headers.lazy.map { ($0.name, $0.value) },
                    member: target.provider.config.name,
                    unixTime: WallClock.now,
                    now: .now
                )
            }
            var chat = prepared.chat
            chat.model = target.model
            if continuing, !run.text.isEmpty {
                chat.messages.append(ChatMessage(role: "assistant", content: run.text))
            }
            let outcome: RPCError?
            do {
                try await run.perform(chat, http: http, sink: &sink)
                outcome = nil
            } catch {
                outcome = run.failure(error, secrets: registry.secrets)
            }
            await settle(permit, run: run, failed: outcome)
            attempts.append(
                RouteInfo.Attempt(
                    member: target.label,
                    outcome: outcome == nil ? "ok" : "failed",
                    waitMs: wait > .zero ? Int(wait.milliseconds) : nil
                )
            )
            guard var error = outcome else {
                let transition = runtime.recordSuccess(
                    member,
                    timeToFirstChunk: run.attemptFirstDeltaAt.map { $0 - run.attemptStartedAt },
                    duration: .now - run.attemptStartedAt,
                    outputTokens: run.usage?.outputTokens ?? run.deltasReceived,
                    now: .now
                )
                if let transition { logBreaker(transition, pool: pool, member: target.label) }
                route.member = target.label
                if attempts.count > 1 { route.attempts = attempts }
                return .success(run.result(route: route))
            }
            // A failure the client caused (cancel, disconnect, not reading) or the drain says nothing
            // about the member.
            if error.type == .cancelled || error.type == .shuttingDown || error.data.failureClass == .client {
                runtime.release(member)
                return .failure(error)
            }
            let failure = FailureClassifier.classify(error)
            error.data.failureClass = failure
            attempts[attempts.count - 1].outcome = failure.rawValue
            let retryAfter = FailureClassifier.retryAfter(error)
            if let transition = runtime.recordFailure(member, failure, retryAfter: retryAfter, now: .now) {
                logBreaker(transition, pool: pool, member: target.label)
            }
            switch failure {
            case .rateLimited:
                admission.limiter.observeRateLimited(
                    member: target.provider.config.name,
                    retryAfter: retryAfter,
                    now: .now
                )
            case .overloaded, .timeout: admission.limiter.recordOverload(member: target.provider.config.name)
            default: break
            }
            tried.insert(member)
            route.member = target.label
            route.attempts = attempts
            error.data.route = route
            last = (member, error, failure)
            if run.answerDelivered {
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

    /// Gives an attempt's permit back: its token estimate is replaced by the usage the provider
    /// reported (or the pieces received), its in-flight slots are released, and queued requests
    /// get their chance.
    private func settle(_ permit: AdmissionPermit, run: StreamRun, failed: RPCError?) async {
        let usage =
            run.usage ?? (run.deltasReceived > 0 ? Usage(inputTokens: 0, outputTokens: run.deltasReceived) : nil)
        if failed == nil, let ttfc = run.attemptFirstDeltaAt {
            admission.limiter.recordResponse(permit, responseTime: ttfc - run.attemptStartedAt)
        }
        await admission.limiter.finish(
            permit,
            actual: usage.map { TokenUsage(input: $0.inputTokens, output: $0.outputTokens) },
            now: .now
        )
        await admission.pump()
    }

    private func cancelled(_ context: RequestContext) -> RPCError {
        let reason = context.cancelReason ?? .cancelled
        return RPCError(reason, reason == .shuttingDown ? "the daemon is shutting down" : "the request was cancelled")
    }

    private func logBreaker(_ transition: BreakerTransition, pool: Router.Pool, member: String) {
        logger.notice(
            "circuit breaker \(transition.from) → \(transition.to)",
            metadata: [
                "pool": "\(pool.name)", "member": "\(member)", "reason": "\(transition.reason)",
            ]
        )
    }

    /// The member of the next attempt after a failure: another untried member the pool's failover
    /// modes allow, else the same member again.
    private func nextMember(
        _ candidates: [Int],
        after last: (member: Int, error: RPCError, failure: FailureClass),
        tried: Set<Int>,
        pool: Router.Pool
    ) -> Int? {
        let failed = pool.members[last.member]
        if let other = candidates.first(where: {
            !tried.contains($0) && Self.mayFailOver(from: failed, to: pool.members[$0], modes: pool.failover)
        }) {
            return other
        }
        guard last.failure.isTransient, candidates.contains(last.member) else { return nil }
        return last.member
    }

    /// Whether a failover from `failed` to `next` is a change the pool allows.
    static func mayFailOver(
        from failed: Router.Member,
        to next: Router.Member,
        modes: Set<DaemonConfig.FailoverMode>
    ) -> Bool {
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
