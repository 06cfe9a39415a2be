import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// A request on its way through the stages: what the client asked, and what earlier stages
/// decided about it. Each stage reads what it needs and adds its own decision.
public struct PipelineRequest: Sendable {
    /// The running request: id, method, caller, cancellation.
    public let context: RequestContext
    /// The params as the client sent them.
    public let params: StreamRequest
    /// The pool and conversation, once ``ValidateStage`` has run.
    public var prepared: PreparedRequest?
    /// The first member and its admission permit, once ``AdmissionStage`` has run.
    public var admitted: AdmittedMember?
    /// Set by a stage that refused the request before it reached a provider, for the record.
    public var refusal: RequestRecord.Outcome?
    /// What the security stage found and did, for the record.
    public var security = SecurityOutcome()
    /// The tenant's policy leaves the semantic cache tier to it (`features.semantic_cache`).
    public var semanticCacheAllowed = true
    /// Names the output transforms the security stage installed (redaction and its rules,
    /// filters): part of the cache key, so an answer is only served to requests shaped alike.
    public var answerShaping: String?
    /// The model turns of the tool loop, for the record.
    public var toolSteps: [ToolStep]?

    public init(context: RequestContext, params: StreamRequest) {
        self.context = context
        self.params = params
    }

    public var tenant: TenantKey { context.caller.tenant }

    /// The prepared request, which every stage after validation relies on.
    func requirePrepared(by stage: String) throws(RPCError) -> PreparedRequest {
        guard let prepared else {
            throw RPCError(.internal, "the \(stage) stage ran before the request was validated")
        }
        return prepared
    }
}

/// The member a request was admitted to and the permit it holds there.
public struct AdmittedMember: Sendable {
    public var member: Int
    public var permit: AdmissionPermit
    /// The route plan the member was chosen from.
    public var plan: RoutePlan
    /// The backoff waited before a retry, for the route's attempt list.
    public var waitMs: Int?
}

/// The result of a stage: how the upstream part of the request ended.
public typealias StageResult = Result<Completion, RPCError>

/// The rest of the pipeline after a stage.
public typealias StageNext = (inout PipelineRequest, inout ResponseOutput) async -> StageResult

/// One step of the pipeline, in the style of a middleware: it does its part and calls `next` for
/// the rest (or answers without it, as a cache hit will), and may act on the result on the way
/// back. The order of stages is documented in docs/architecture.md.
public protocol RequestStage: Sendable {
    func run(_ request: inout PipelineRequest, _ output: inout ResponseOutput, next: StageNext) async -> StageResult

    /// Asked when the chain reaches the stage: `false` when the stage has nothing to do for `request`, and the
    /// chain goes on to the next stage without running this one. A skipped stage holds no frame of its own for
    /// the rest of the request, which is what most of an idle stream's memory is. Default: `true`.
    func takesPart(in request: PipelineRequest) -> Bool

    /// What a skipped stage makes of the result of the stages after it, on the way back. Default: the result.
    func passBack(_ result: StageResult) -> StageResult

    /// The stage as a ``PreludeStage`` when it is one, else `nil`; provided by the defaults. A requirement rather
    /// than a cast: `as? any PreludeStage` scans every conformance record in the binary the first time it meets a
    /// stage type, which every pipeline build (start, reload) did once per stage.
    var asPrelude: (any PreludeStage)? { get }
}

extension RequestStage {
    public func takesPart(in request: PipelineRequest) -> Bool { true }
    public func passBack(_ result: StageResult) -> StageResult { result }
    public var asPrelude: (any PreludeStage)? { nil }
}

/// A stage whose whole work comes before the rest of the chain (checks that refuse or prepare the request, and
/// nothing on the way back). The chain runs its ``prelude(_:_:)`` and goes on to the next stage rather than
/// nesting the rest inside it, so the stage holds no frame while the stream runs.
public protocol PreludeStage: RequestStage {
    /// Does the stage's work; the error that refuses the request, if any.
    func prelude(_ request: inout PipelineRequest, _ output: inout ResponseOutput) async -> RPCError?
}

extension PreludeStage {
    public var asPrelude: (any PreludeStage)? { self }

    public func run(
        _ request: inout PipelineRequest,
        _ output: inout ResponseOutput,
        next: StageNext
    ) async -> StageResult {
        if let refusal = await prelude(&request, &output) { return .failure(refusal) }
        return await next(&request, &output)
    }
}
