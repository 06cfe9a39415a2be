import Logging
import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

extension AttemptLoop {
    /// After a failure: picks the next member (another one the failover modes allow, else the same
    /// one after a backoff), announces it with a notice, waits, and takes a permit without queueing.
    /// Fails with the last error when no further attempt is possible.
    @inline(never)  // Its frame must not stay in the attempt loop's while the next attempt streams.
    func chooseRetry(output: inout ResponseOutput) async -> Result<AdmittedMember, RPCError> {
        guard let last else { return .failure(RPCError(.internal, "a retry was chosen before any failure")) }
        let required = pool.configured ? prepared.requiredCapabilities : []
        let plan = pool.runtime.plan(requiredCapabilities: required, minContextWindow: minContextWindow, now: .now)
        let candidates = plan.candidates.filter { prepared.allowedMembers?.contains($0) ?? true }
        guard let member = nextMember(candidates, after: last), attempts.count < pool.maxAttempts else {
            return .failure(last.error)
        }
        let wait: Duration
        switch backoff(before: member, after: last) {
        case .success(let duration): wait = duration
        case .failure(let error): return .failure(error)
        }
        let notice = Notice(
            kind: member == last.member ? Notice.retry : Notice.failover,
            attempt: attempts.count + 1,
            waitMs: wait.wholeMilliseconds(rounding: .down),
            reason: last.failureClass.rawValue,
            from: pool.members[last.member].label,
            to: member == last.member ? nil : pool.members[member].label
        )
        do { try await output.notify(notice) } catch {
            return .failure(RPCError(.cancelled, "the client connection closed"))
        }
        let waitStarted = ContinuousClock.now
        let waitedOut = await context.wait(for: wait)
        context.spentBackingOff(since: waitStarted)
        guard waitedOut else { return .failure(.stopped(context.cancelReason)) }
        guard let permit = await stage.admission.admitRetry(prepared, member: member, tenant: context.caller.tenant)
        else {
            var error = last.error
            error.message += " (not retried: \(pool.members[member].label) is at its rate limit)"
            return .failure(error)
        }
        let waitMs = wait > .zero ? wait.wholeMilliseconds(rounding: .down) : nil
        return .success(AdmittedMember(member: member, permit: permit, plan: plan, waitMs: waitMs))
    }

    /// The wait before the next attempt on `member`: a backoff for the same member, none for
    /// another. Fails when the wait is too long, passes the request's deadline, or the retry
    /// budget is used up.
    private func backoff(before member: Int, after last: Failure) -> Result<Duration, RPCError> {
        var wait = Duration.zero
        if member == last.member {
            var generator = SystemRandomNumberGenerator()
            wait = stage.router.backoff.delay(
                attempt: attempts.count - 1,
                retryAfter: FailureClassifier.retryAfter(last.error),
                using: &generator
            )
            guard wait <= .milliseconds(stage.router.settings.maxRetryWaitMs) else { return .failure(last.error) }
        }
        if let deadline, ContinuousClock.now + wait >= deadline { return .failure(last.error) }
        guard stage.router.retryBudget.tryAcquireRetry(now: .now) else {
            var error = last.error
            error.message += " (not retried: the daemon's retry budget is used up)"
            return .failure(error)
        }
        return .success(wait)
    }

    /// The member of the next attempt after a failure: another untried member the pool's failover
    /// modes allow, else the same member again.
    private func nextMember(_ candidates: [Int], after last: Failure) -> Int? {
        let failed = pool.members[last.member]
        let other = candidates.first {
            !tried.contains($0) && Self.mayFailOver(from: failed, to: pool.members[$0], modes: pool.failover)
        }
        if let other { return other }
        guard last.failureClass.isTransient, candidates.contains(last.member) else { return nil }
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
}
