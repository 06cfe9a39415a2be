import Logging
import NeuroLinkBasics
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

extension AttemptLoop {
    /// One call to the admitted member; on success, the request's completion.
    ///
    /// The work before and after the call is in synchronous helpers kept out of line: an async
    /// function's frame holds every value any part of it uses, for as long as the call streams, and
    /// an open stream should hold as little as possible (docs/benchmarks.md, idle streams).
    @inline(never)
    func attempt(_ admitted: AdmittedMember, output: inout ResponseOutput) async -> StageResult {
        let (call, chat) = prepareCall(to: admitted.member, output: &output)
        let failure = await stream(call, chat, output: &output)
        await settle(admitted.permit, call: call, failed: failure != nil)
        return conclude(call, waitMs: admitted.waitMs, failure: failure)
    }

    /// Runs the call; its error, if it failed.
    @inline(never)
    private func stream(_ call: UpstreamCall, _ chat: ChatRequest, output: inout ResponseOutput) async -> RPCError? {
        do {
            try await call.perform(chat, http: stage.http, output: &output)
            return nil
        } catch {
            return call.failure(error, secrets: stage.secrets)
        }
    }

    /// The call to `member` and the chat request it sends (continuing the answer so far when
    /// another member already delivered part of it).
    @inline(never)
    private func prepareCall(to member: Int, output: inout ResponseOutput) -> (UpstreamCall, ChatRequest) {
        let remainingMs = deadline.map { max(1, ($0 - .now).wholeMilliseconds(rounding: .up)) }
        let target = pool.members[member].target(index: member, requestTimeoutMs: remainingMs)
        var chat = prepared.chat
        chat.model = target.model
        if output.stepDelivered {
            // Another member continues the answer after what the client already has.
            carriedUsage = Usage.sum(carriedUsage, lastCallUsage)
            output.beginContinuation()
            let delivered = output.stepText
            if !delivered.isEmpty { chat.messages.append(ChatMessage(role: "assistant", content: delivered)) }
        }
        let call = UpstreamCall(target: target, context: context)
        context.progress.route(provider: target.provider.config.name, model: target.model)
        call.headObserver = { [limiter = stage.admission.controller.limiter] _, headers in
            limiter.observe(
                headers: headers.lazy.map { ($0.name, $0.value) },
                member: target.provider.config.name,
                unixTime: WallClock.now,
                now: .now
            )
        }
        return (call, chat)
    }

    /// Records the attempt; its failure, or the request's completion.
    @inline(never)
    private func conclude(_ call: UpstreamCall, waitMs: Int?, failure: RPCError?) -> StageResult {
        attempts.append(
            RouteInfo.Attempt(member: call.target.label, outcome: failure == nil ? "ok" : "failed", waitMs: waitMs)
        )
        if var failure {
            lastCallUsage = call.usageSoFar
            if failure.data.usage == nil { failure.data.usage = Usage.sum(carriedUsage, call.usageSoFar) }
            return .failure(failure)
        }
        return .success(succeeded(call, target: call.target))
    }

    /// Records a successful call and makes the request's completion from it.
    private func succeeded(_ call: UpstreamCall, target: RouteTarget) -> Completion {
        let transition = pool.runtime.recordSuccess(
            target.member,
            timeToFirstChunk: call.firstEventAt.map { $0 - call.startedAt },
            duration: .now - call.startedAt,
            outputTokens: call.usage?.outputTokens ?? call.deltasReceived,
            now: .now
        )
        if let transition { logBreaker(transition, member: target.label) }
        route.member = target.label
        if attempts.count > 1 { route.attempts = attempts }
        return Completion(
            finishReason: call.finishReason ?? .stop,
            usage: Usage.sum(carriedUsage, call.usage),
            provider: call.providerName,
            model: call.reportedModel ?? target.model,
            route: route
        )
    }

    /// Gives an attempt's permit back: its token estimate is replaced by the usage the provider
    /// reported (or the pieces received), its in-flight slots are released, and queued requests
    /// get their chance.
    @inline(never)
    private func settle(_ permit: AdmissionPermit, call: UpstreamCall, failed: Bool) async {
        let limiter = stage.admission.controller.limiter
        if !failed, let firstEvent = call.firstEventAt {
            limiter.recordResponse(permit, responseTime: firstEvent - call.startedAt)
        }
        let actual = call.usageSoFar.map { TokenUsage(input: $0.inputTokens, output: $0.outputTokens) }
        await limiter.finish(permit, actual: actual, now: .now)
        await stage.admission.controller.pump()
    }

    /// Classifies a failed attempt and feeds it to the breaker and the limiter. Returns the error
    /// the request ends with, or `nil` when another attempt may follow.
    func settleFailure(_ error: RPCError, member: Int, delivered: Bool) -> RPCError? {
        // A failure the client caused (cancel, disconnect, not reading) or the drain says nothing
        // about the member: no failure counted, no breaker or outlier step, no retry.
        if error.type == .cancelled || error.type == .shuttingDown || error.data.failureClass == .client {
            pool.runtime.release(member)
            return error
        }
        var error = error
        let failure = FailureClassifier.classify(error)
        error.data.failureClass = failure
        attempts[attempts.count - 1].outcome = failure.rawValue
        let retryAfter = FailureClassifier.retryAfter(error)
        if let transition = pool.runtime.recordFailure(member, failure, retryAfter: retryAfter, now: .now) {
            logBreaker(transition, member: pool.members[member].label)
        }
        let limiter = stage.admission.controller.limiter
        let provider = pool.members[member].entry.config.name
        switch failure {
        case .rateLimited: limiter.observeRateLimited(member: provider, retryAfter: retryAfter, now: .now)
        case .overloaded, .timeout: limiter.recordOverload(member: provider)
        default: break
        }
        tried.insert(member)
        route.member = pool.members[member].label
        route.attempts = attempts
        error.data.route = route
        last = Failure(member: member, error: error, failureClass: failure)
        if delivered {
            // Never splice silently: only an explicit request continues on another member.
            return prepared.continueOnFailure && failure.isTransient ? nil : error
        }
        switch failure {
        case .contextLength:
            guard let window = pool.members[member].spec.contextWindow else { return error }
            minContextWindow = window + 1
            return nil
        case let failure where !failure.isTransient:
            return error
        default:
            return nil
        }
    }

    func logBreaker(_ transition: BreakerTransition, member: String) {
        stage.logger.notice(
            "circuit breaker \(transition.from) → \(transition.to)",
            metadata: ["pool": "\(pool.name)", "member": "\(member)", "reason": "\(transition.reason)"]
        )
    }
}

extension Usage {
    /// The sum of two usages, when there is any (saturating, see ``Usage/adding(_:)``).
    static func sum(_ first: Usage?, _ second: Usage?) -> Usage? {
        guard let first else { return second }
        guard let second else { return first }
        return first.adding(second)
    }
}
