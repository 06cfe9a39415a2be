import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// The innermost stage: streams the answer from the admitted member into the output.
///
/// Before any part of the answer reached the client, a transient failure is retried (same
/// member, after a full-jitter backoff that honours `retry-after`) or failed over (another member
/// the pool's `failover` modes allow), up to the pool's `max_attempts` and within the daemon-wide
/// retry budget; each one is announced with a `notice` chunk. Afterwards a failure ends the
/// request with an error carrying the usage so far, unless the request asked to
/// `continueOnFailure`, in which case another member continues the answer.
public struct AttemptStage: RequestStage {
    let router: Router
    let admission: MemberAdmission
    let http: CurlLoop
    let secrets: [Secret]
    let logger: Logger

    public func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        switch makeLoop(request) {
        case .success(let (loop, first)): return await loop.run(first: first, output: &output)
        case .failure(let error): return .failure(error)
        }
    }

    /// The loop over `request`'s attempts and its first admitted member. Out of line, like every
    /// stage's work before its long wait (docs/architecture.md, "Memory of an open stream").
    @inline(never)
    private func makeLoop(_ request: PipelineRequest) -> Result<(AttemptLoop, AdmittedMember), RPCError> {
        let prepared: PreparedRequest
        do { prepared = try request.requirePrepared(by: "attempt") } catch { return .failure(error) }
        guard let first = request.admitted else {
            return .failure(RPCError(.internal, "the attempt stage ran before admission"))
        }
        return .success((AttemptLoop(stage: self, prepared: prepared, context: request.context), first))
    }
}

/// The state of one request's attempts, and the steps of the loop over them.
final class AttemptLoop {
    /// The attempt that failed last, and how.
    struct Failure {
        var member: Int
        var error: RPCError
        var failureClass: FailureClass
    }

    let stage: AttemptStage
    let prepared: PreparedRequest
    let context: RequestContext
    var pool: Router.Pool { prepared.pool }
    var route: RouteInfo
    var attempts: [RouteInfo.Attempt] = []
    var tried: Set<Int> = []
    var minContextWindow: Int?
    var last: Failure?
    /// Usage of earlier calls whose output the answer kept (a continued answer).
    var carriedUsage: Usage?
    /// Usage of the call that failed last, carried once another member continues after it.
    var lastCallUsage: Usage?
    /// The request's own `timeoutMs` bounds the whole request, retries and waits included.
    let deadline: ContinuousClock.Instant?

    init(stage: AttemptStage, prepared: PreparedRequest, context: RequestContext) {
        self.stage = stage
        self.prepared = prepared
        self.context = context
        route = prepared.route
        deadline = prepared.requestTimeoutMs.map { context.receivedAt + .milliseconds($0) }
    }

    @inline(never)
    func run(first: AdmittedMember, output: inout ResponseOutput) async -> StageResult {
        stage.router.retryBudget.recordRequest(now: .now)
        noteSkipped(first.plan)
        var next = first
        while true {
            guard pool.runtime.begin(next.member, now: .now, force: next.plan.lastResort?.member == next.member) else {
                // The breaker let another request take the last half-open probe slot meanwhile.
                await stage.admission.controller.limiter.cancel(next.permit, now: .now)
                tried.insert(next.member)
                switch await admitAgain(output: &output) {
                case .success(let admitted): next = admitted
                case .failure(let error): return .failure(error)
                }
                continue
            }
            switch await attempt(next, output: &output) {
            case .success(let completion):
                return .success(completion)
            case .failure(let error):
                if let final = settleFailure(error, member: next.member, delivered: output.stepDelivered) {
                    return .failure(final)
                }
            }
            switch await chooseRetry(output: &output) {
            case .success(let admitted): next = admitted
            case .failure(let error): return .failure(error)
            }
        }
    }

    /// After `begin` refused a member: the first attempt is admitted among the others (it may
    /// queue); a retry picks its next member as after a failure.
    @inline(never)
    private func admitAgain(output: inout ResponseOutput) async -> Result<AdmittedMember, RPCError> {
        guard last == nil else { return await chooseRetry(output: &output) }
        let again = await stage.admission.admitFirst(prepared, context: context, excluding: tried, output: &output)
        return again.mapError(\.error)
    }

    /// Puts the members the first plan left out, and why, on the route.
    private func noteSkipped(_ plan: RoutePlan) {
        route.skipped += plan.skipped.map {
            RouteInfo.Skipped(provider: pool.members[$0.member].label, reason: $0.reason)
        }
        if let lastResort = plan.lastResort { route.reason += "; \(lastResort.reason)" }
    }
}
