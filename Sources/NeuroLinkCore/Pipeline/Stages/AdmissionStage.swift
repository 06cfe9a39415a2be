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
    /// work before `next` (docs/architecture.md, "Memory of an open stream").
    @inline(never)
    private func admit(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError? {
        let prepared: PreparedRequest
        do { prepared = try request.requirePrepared(by: "admission") } catch { return error }
        switch await admission.admitFirst(prepared, context: request.context, excluding: [], output: &output) {
        case .success(let admitted):
            request.admitted = admitted
            return nil
        case .failure(let refused):
            request.refusal = refused.refusal
            return refused.error
        }
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

    /// Plans the pool and admits the request to the first candidate the limits allow, leaving out
    /// the members in `excluding`; waits in the queue when the configuration says so.
    @inline(never)  // Its frame must not stay in AdmissionStage.run's while the stream runs.
    func admitFirst(
        _ prepared: PreparedRequest,
        context: RequestContext,
        excluding tried: Set<Int>,
        output: inout ResponseOutput
    ) async -> Result<AdmittedMember, AdmissionRefused> {
        let pool = prepared.pool
        let required = pool.configured ? prepared.requiredCapabilities : []
        let plan = pool.runtime.plan(requiredCapabilities: required, minContextWindow: nil, now: .now)
        let order = plan.candidates.filter { prepared.allowedMembers?.contains($0) ?? true && !tried.contains($0) }
        guard !order.isEmpty else {
            return .failure(AdmissionRefused(error: Self.noMember(pool: pool, plan: plan), refusal: nil))
        }
        let outcome = await controller.admit(
            order.map { request(prepared, member: $0, tenant: context.caller.tenant) },
            tenant: context.caller.tenant,
            priority: prepared.priority,
            context: context
        ) { notice in
            // A client gone meanwhile is noticed through the cancellation of the request.
            try? await output.notify(notice)
        }
        switch outcome {
        case .admitted(let index, let permit):
            return .success(AdmittedMember(member: order[index], permit: permit, plan: plan))
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
