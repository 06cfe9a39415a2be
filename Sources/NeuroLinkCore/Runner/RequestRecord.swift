import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

/// What one request did, whatever its outcome: produced exactly once per `stream`/`generate`
/// request when it ends, and handed to every ``RequestRecorder``.
public struct RequestRecord: Sendable {
    /// How the request ended.
    public enum Outcome: String, Sendable, Hashable {
        case success
        /// Failed with an error after being admitted (upstream errors, timeouts, bad params).
        case error
        /// Refused before reaching a provider: rate limits, a full queue, caps.
        case rejected
        /// Waited in the admission queue past its maximum wait.
        case queueTimeout = "queue_timeout"
        /// Cancelled by its client (`cancel`).
        case cancelled
        /// The client's connection closed while it ran.
        case clientGone = "client_gone"
        /// Ended by the daemon's shutdown.
        case shutDown = "shut_down"
    }

    public var requestId: RPCID
    public var method: String
    public var caller: Caller
    /// The request's `context` (userId, sessionId, ...).
    public var context: [String: JSONValue]?
    public var provider: String?
    public var model: String?
    public var pool: String?
    public var member: String?
    public var attempts: [RouteInfo.Attempt]
    /// When the request arrived, in seconds since 1970.
    public var startedAt: Double
    public var timeToFirstChunkMs: Double?
    public var durationMs: Double
    /// The part of ``durationMs`` the daemon itself took: not in upstream calls, the admission
    /// queue or a retry's backoff.
    public var overheadMs: Double?
    /// Time spent in the admission queue; `nil` for a request that never queued.
    public var queueWaitMs: Double?
    /// Chunks sent to the client (`generate` sends none).
    public var chunks: Int
    /// Bytes written to the client for this request, final response included.
    public var bytesSent: Int
    public var usage: Usage?
    /// US dollars, when the model's price is known.
    public var cost: Double?
    public var finishReason: FinishReason?
    public var outcome: Outcome
    public var errorType: ErrorType?
    /// The rule of a `forbidden`, `content_blocked` or input-limit error.
    public var errorRule: String?
    public var failureClass: FailureClass?
    /// With `enableEvaluation`: the judge's scores, or why there are none.
    public var evaluation: EvaluationOutcome?
    /// How the response cache took part.
    public var cache: CacheInfo?
    /// What security found and did (`nil` when nothing).
    public var security: SecurityOutcome?
    /// The model turns of the tool loop, when the daemon ran tools.
    public var toolSteps: [ToolStep]?

    public init(requestId: RPCID, method: String, caller: Caller, startedAt: Double) {
        self.requestId = requestId
        self.method = method
        self.caller = caller
        self.startedAt = startedAt
        attempts = []
        durationMs = 0
        chunks = 0
        bytesSent = 0
        outcome = .success
    }
}

extension RequestRecord {
    /// Output tokens per second of generation (from the first chunk to the end), when both are known.
    public var tokensPerSecond: Double? {
        ResultAnalytics.tokensPerSecond(
            outputTokens: usage?.outputTokens ?? 0,
            durationMs: durationMs,
            timeToFirstChunkMs: timeToFirstChunkMs
        )
    }
}

extension RequestRecord.Outcome {
    /// The outcome of a request that failed with `error`; `refusal` is set when a stage refused
    /// the request before it reached a provider.
    init(_ error: RPCError, refusal: RequestRecord.Outcome?, clientGone: Bool) {
        if clientGone {
            self = .clientGone
        } else if let refusal {
            self = refusal
        } else {
            switch error.type {
            case .cancelled: self = .cancelled
            case .shuttingDown: self = .shutDown
            default: self = .error
            }
        }
    }
}

/// Receives every finished request's record: the log line, the status counters, and later the
/// analytics store. Called on the request's task once it has ended; must not block.
public protocol RequestRecorder: Sendable {
    func record(_ record: RequestRecord)
}

extension RequestRecord {
    /// The record of a request that ran through the pipeline and ended with `result`.
    init(_ request: PipelineRequest, output: ResponseOutput, result: Result<StreamResult, RPCError>) {
        let context = request.context
        self.init(
            requestId: context.id,
            method: context.method,
            caller: context.caller,
            startedAt: context.receivedAtUnix
        )
        self.context = request.params.context
        pool = request.prepared.flatMap { $0.pool.configured ? $0.pool.name : nil }
        let now = ContinuousClock.now
        durationMs = Milliseconds.of(now - context.receivedAt)
        overheadMs = Milliseconds.of(context.overhead(until: now))
        let queued = context.queueWait
        queueWaitMs = queued > .zero ? Milliseconds.of(queued) : nil
        timeToFirstChunkMs = output.firstChunkAt.map { Milliseconds.of($0 - context.receivedAt) }
        chunks = output.chunksSent
        bytesSent = output.bytesSent
        var security = request.security
        output.reportTransforms(into: &security)
        self.security = security.isEmpty ? nil : security
        toolSteps = request.toolSteps
        switch result {
        case .success(let answer):
            provider = answer.provider
            model = answer.model
            member = answer.route?.member
            attempts = answer.route?.attempts ?? [RouteInfo.Attempt(member: answer.route?.member ?? "", outcome: "ok")]
            usage = answer.usage
            finishReason = answer.finishReason
            cache = answer.cache
        case .failure(let error):
            let firstMember = request.prepared?.pool.members.first
            provider = error.data.provider ?? firstMember?.entry.config.name
            model = firstMember?.model
            member = error.data.route?.member
            attempts = error.data.route?.attempts ?? []
            usage = error.data.usage
            outcome = Outcome(error, refusal: request.refusal, clientGone: context.isClientGone)
            errorType = error.type
            errorRule = error.data.rule
            failureClass = error.data.failureClass
        }
    }
}
