import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// Admits the request against every rate, token and in-flight limit: it takes a permit on the
/// first member, in the routing strategy's order, that every limit allows. When none is allowed
/// the request waits in the admission queue (with a `queued` notice), or is refused with
/// `rate_limited` or `overloaded`, by configuration.
public struct AdmissionStage: PreludeStage {
    let admission: MemberAdmission

    public func prelude(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        await admit(&request, &output)
    }

    /// Admits the request (`request.admitted`), or returns why not. Out of line, like every stage's
    /// work before `next` (docs/architecture.md, "Memory of an open stream"); its frame holds the
    /// candidates' box, not the prepared request they come from.
    @inline(never)
    private func admit(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        let candidates: MemberAdmission.Candidates
        switch admission.candidates(request, excluding: []) {
        case .success(let found): candidates = found
        case .failure(let refused): return refuse(&request, refused)
        }
        return await admission.admit(candidates, &request, output: &output)
    }

    @inline(never)
    private func refuse(_ request: inout PipelineRequest, _ refused: AdmissionRefused) -> RPCError {
        request.refusal = refused.refusal
        return refused.error
    }
}

/// A request the limits refused, and how, for its record.
struct AdmissionRefused: Error {
    var error: RPCError
    var refusal: RequestRecord.Outcome?
}

/// Takes admission permits for a request's members: the first attempt's (which may queue) and a
/// retry's (which never queues).
struct MemberAdmission: Sendable {
    let controller: AdmissionController

    /// The members a request may be admitted to, in the routing strategy's order, with what the
    /// limits are asked for each; kept on the heap, so that the frames waiting for admission hold a
    /// pointer rather than the plan and the requests.
    final class Candidates: Sendable {
        let order: [Int]
        let requests: [AdmissionRequest]
        let plan: RoutePlan
        let priority: Int?

        init(order: [Int], requests: [AdmissionRequest], plan: RoutePlan, priority: Int?) {
            self.order = order
            self.requests = requests
            self.plan = plan
            self.priority = priority
        }
    }

    /// Plans the pool and admits the request to the first candidate the limits allow, leaving out
    /// the members in `excluding`; waits in the queue when the configuration says so.
    @inline(never)  // Its frame must not stay in AdmissionStage.run's while the stream runs.
    func admitFirst(
        _ prepared: PreparedRequest,
        context: RequestContext,
        excluding tried: Set<Int>,
        output: inout ResponseOutput
    ) async -> Result<AdmittedMember, AdmissionRefused> {
        switch candidates(prepared, tenant: context.caller.tenant, excluding: tried) {
        case .success(let candidates): await admitted(candidates, context: context, output: &output)
        case .failure(let refused): .failure(refused)
        }
    }

    /// The candidates of a validated request. Out of line: inlined, its locals would join the
    /// calling async frame.
    @inline(never)
    func candidates(_ request: PipelineRequest, excluding tried: Set<Int>) -> Result<Candidates, AdmissionRefused> {
        guard let prepared = request.prepared else {
            let error = RPCError(.internal, "the admission stage ran before the request was validated")
            return .failure(AdmissionRefused(error: error, refusal: nil))
        }
        return candidates(prepared, tenant: request.context.caller.tenant, excluding: tried)
    }

    /// The pool's plan, without the members in `excluding` (or that the caller's policy does not
    /// allow); a refusal when none is left.
    func candidates(
        _ prepared: PreparedRequest,
        tenant: TenantKey,
        excluding tried: Set<Int>
    ) -> Result<Candidates, AdmissionRefused> {
        let pool = prepared.pool
        let required = pool.configured ? prepared.requiredCapabilities : []
        let plan = pool.runtime.plan(requiredCapabilities: required, minContextWindow: nil, now: .now)
        let order = plan.candidates.filter { prepared.allowedMembers?.contains($0) ?? true && !tried.contains($0) }
        guard !order.isEmpty else {
            return .failure(AdmissionRefused(error: Self.noMember(pool: pool, plan: plan), refusal: nil))
        }
        let requests = order.map { request(prepared, member: $0, tenant: tenant) }
        return .success(Candidates(order: order, requests: requests, plan: plan, priority: prepared.priority))
    }

    /// Admits `request` to the first of `candidates` the limits allow (`request.admitted`), queueing
    /// when the configuration says so; or sets its refusal and returns why. The admitted member goes
    /// straight into the request: the stage's frame holds no result in flight.
    @inline(never)
    func admit(
        _ candidates: Candidates,
        _ request: inout PipelineRequest,
        output: inout ResponseOutput
    ) async
        -> RPCError?
    {
        switch await admitted(candidates, context: request.context, output: &output) {
        case .success(let admitted):
            request.admitted = admitted
            return nil
        case .failure(let refused):
            request.refusal = refused.refusal
            return refused.error
        }
    }

    /// The member of `candidates` the request was admitted to, or why it was not.
    @inline(never)
    func admitted(
        _ candidates: Candidates,
        context: RequestContext,
        output: inout ResponseOutput
    ) async -> Result<AdmittedMember, AdmissionRefused> {
        let outcome = await controller.admit(
            candidates.requests,
            tenant: context.caller.tenant,
            priority: candidates.priority,
            context: context
        ) { notice in
            // A client gone meanwhile is noticed through the cancellation of the request.
            try? await output.notify(notice)
        }
        switch outcome {
        case .admitted(let index, let permit):
            return .success(AdmittedMember(member: candidates.order[index], permit: permit, plan: candidates.plan))
        case .failed(let error, let refusal):
            return .failure(AdmissionRefused(error: error, refusal: refusal))
        }
    }

    /// A permit for a retry on `member`, only if the limits allow it now: a retry is not queued.
    @inline(never)
    func admitRetry(_ prepared: PreparedRequest, member: Int, tenant: TenantKey) async -> AdmissionPermit? {
        let decision = await controller.limiter.admit(request(prepared, member: member, tenant: tenant), now: .now)
        guard case .admitted(let permit) = decision else { return nil }
        return permit
    }

    private func request(_ prepared: PreparedRequest, member: Int, tenant: TenantKey) -> AdmissionRequest {
        AdmissionRequest(
            tenant: tenant,
            member: prepared.pool.members[member].entry.config.name,
            inputCharacters: prepared.promptBytes,
            maxOutputTokens: prepared.chat.maxTokens
        )
    }

    /// The error of a request no member of its pool can take.
    static func noMember(pool: Router.Pool, plan: RoutePlan) -> RPCError {
        let reasons = plan.skipped.map { "\(pool.members[$0.member].label): \($0.reason)" }
        let detail = reasons.isEmpty ? "no member can take the request" : reasons.joined(separator: "; ")
        return RPCError(.noProviderAvailable, "pool \"\(pool.name)\": \(detail)")
    }
}
