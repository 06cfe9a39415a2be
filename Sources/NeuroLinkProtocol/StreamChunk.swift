/// The kind of a `stream.chunk` notification. Unknown kinds must be ignored by clients.
public struct ChunkType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let text = ChunkType(rawValue: "text")
    public static let reasoning = ChunkType(rawValue: "reasoning")
    public static let finish = ChunkType(rawValue: "finish")
    public static let notice = ChunkType(rawValue: "notice")
    /// A complete tool call (`toolCall`).
    public static let toolCall = ChunkType(rawValue: "tool_call")
    /// The structured-output object parsed so far (`object`).
    public static let object = ChunkType(rawValue: "object")
    /// Figures of the running request (`analytics`), with `enableAnalytics`.
    public static let analytics = ChunkType(rawValue: "analytics")
    /// A judge model's scores of the answer (`evaluation` or `evaluationError`), with
    /// `enableEvaluation`, just before `finish`.
    public static let evaluation = ChunkType(rawValue: "evaluation")
    /// The outcome of a tool the daemon's tool loop ran (`toolResult`).
    public static let toolResult = ChunkType(rawValue: "tool_result")
}

/// Why an answer ended: `stop`, `length`, `tool_calls`, `content_filter` or `error`.
public struct FinishReason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let stop = FinishReason(rawValue: "stop")
    public static let length = FinishReason(rawValue: "length")
    public static let toolCalls = FinishReason(rawValue: "tool_calls")
    public static let contentFilter = FinishReason(rawValue: "content_filter")
    public static let error = FinishReason(rawValue: "error")
}

/// Params of a `stream.chunk` notification.
public struct StreamChunk: Sendable, Hashable, Codable {
    /// The `id` of the `stream` request this chunk belongs to.
    public var requestId: RPCID
    /// 0, 1, 2, ... per request, without gaps.
    public var seq: Int
    public var type: ChunkType
    /// The text of `text` and `reasoning` chunks.
    public var content: String?
    /// Set on `finish` chunks.
    public var finishReason: FinishReason?
    /// Set on `finish` chunks when the provider reported usage.
    public var usage: Usage?
    /// Set on `tool_call` chunks.
    public var toolCall: ToolCall?
    /// Set on `object` chunks: the partial object parsed so far.
    public var object: JSONValue?
    /// Set on `notice` chunks.
    public var notice: Notice?
    /// Set on `analytics` chunks.
    public var analytics: LiveAnalytics?
    /// Set on `evaluation` chunks when the judge scored the answer.
    public var evaluation: Evaluation?
    /// Set on `evaluation` chunks when it did not: why.
    public var evaluationError: String?
    /// Set on `tool_result` chunks.
    public var toolResult: ToolResult?

    public init(
        requestId: RPCID,
        seq: Int,
        type: ChunkType,
        content: String? = nil,
        finishReason: FinishReason? = nil,
        usage: Usage? = nil,
        toolCall: ToolCall? = nil,
        object: JSONValue? = nil,
        notice: Notice? = nil,
        analytics: LiveAnalytics? = nil,
        evaluation: EvaluationOutcome? = nil,
        toolResult: ToolResult? = nil
    ) {
        self.toolResult = toolResult
        self.analytics = analytics
        self.evaluation = evaluation?.evaluation
        self.evaluationError = evaluation?.error
        self.notice = notice
        self.toolCall = toolCall
        self.object = object
        self.requestId = requestId
        self.seq = seq
        self.type = type
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
    }
}

/// Milliseconds spent on a request.
public struct Timings: Sendable, Hashable, Codable {
    /// From receiving the request to sending the first content chunk; `nil` when none was sent.
    public var timeToFirstChunkMs: Double?
    /// From receiving the request to its final response.
    public var durationMs: Double

    public init(timeToFirstChunkMs: Double?, durationMs: Double) {
        self.timeToFirstChunkMs = timeToFirstChunkMs
        self.durationMs = durationMs
    }
}

/// The final result of `stream` and the only result of `generate`.
public struct StreamResult: Sendable, Hashable, Codable {
    /// The whole answer text.
    public var text: String
    /// Reasoning text, when the model produced any.
    public var reasoning: String?
    public var finishReason: FinishReason
    public var usage: Usage?
    /// The provider actually used.
    public var provider: String
    /// The model actually used, as the provider reported it.
    public var model: String
    public var timings: Timings
    /// Number of `stream.chunk` notifications sent for this request.
    public var chunks: Int
    /// Tool calls the model made, in order.
    public var toolCalls: [ToolCall]?
    /// With `schema`: the answer parsed as JSON.
    public var object: JSONValue?
    /// With `schema`: why the answer does not conform, when it does not.
    public var objectError: String?
    /// How the provider was chosen.
    public var route: RouteInfo?
    /// `stream` only: the answer was longer than the daemon keeps (`limits.max_answer_bytes`), so
    /// `text` and `reasoning` hold only its beginning; the chunks carried all of it.
    public var textTruncated: Bool?
    /// What the answer cost in US dollars, from the model's price and `usage`; absent when the
    /// model's price is unknown (never 0 for an unknown price).
    public var cost: Double?
    /// With `enableAnalytics`: the request's figures in one place.
    public var analytics: ResultAnalytics?
    /// With `enableEvaluation`: the judge's scores of the answer.
    public var evaluation: Evaluation?
    /// With `enableEvaluation`: why the answer has no scores (the request still succeeded).
    public var evaluationError: String?
    /// How the response cache took part; absent when the cache is disabled.
    public var cache: CacheInfo?
    /// When the daemon ran tools: every model turn, with its tool calls and their results.
    public var steps: [ToolStep]?

    public init(
        text: String,
        reasoning: String? = nil,
        finishReason: FinishReason,
        usage: Usage?,
        provider: String,
        model: String,
        timings: Timings,
        chunks: Int,
        toolCalls: [ToolCall]? = nil,
        object: JSONValue? = nil,
        objectError: String? = nil,
        route: RouteInfo? = nil
    ) {
        self.route = route
        self.toolCalls = toolCalls
        self.object = object
        self.objectError = objectError
        self.text = text
        self.reasoning = reasoning
        self.finishReason = finishReason
        self.usage = usage
        self.provider = provider
        self.model = model
        self.timings = timings
        self.chunks = chunks
    }
}

/// Why a request went where it went: shown by `nlctl stream --debug`.
public struct RouteInfo: Sendable, Hashable, Codable {
    /// The `provider` the request asked for (`auto` when it gave none).
    public var requested: String
    /// One sentence on why the chosen provider was picked.
    public var reason: String
    /// Providers passed over, each with the reason.
    public var skipped: [Skipped]

    public struct Skipped: Sendable, Hashable, Codable {
        public var provider: String
        public var reason: String
        public init(provider: String, reason: String) {
            self.provider = provider
            self.reason = reason
        }
    }

    /// The pool the request went through, when it named one (or `auto` used the default pool).
    public var pool: String?
    /// The pool's routing strategy.
    public var strategy: String?
    /// The member that produced the answer (`provider/model`).
    public var member: String?
    /// Every upstream attempt, in order, when there was more than one or one failed.
    public var attempts: [Attempt]?

    /// One upstream attempt of a request.
    public struct Attempt: Sendable, Hashable, Codable {
        /// `provider/model` of the member tried.
        public var member: String
        /// `ok`, or the failure class of the attempt (`rate_limited`, `server`, ...).
        public var outcome: String
        /// Milliseconds waited before this attempt started.
        public var waitMs: Int?

        public init(member: String, outcome: String, waitMs: Int? = nil) {
            self.member = member
            self.outcome = outcome
            self.waitMs = waitMs
        }
    }

    public init(
        requested: String,
        reason: String,
        skipped: [Skipped] = [],
        pool: String? = nil,
        strategy: String? = nil,
        member: String? = nil,
        attempts: [Attempt]? = nil
    ) {
        self.requested = requested
        self.reason = reason
        self.skipped = skipped
        self.pool = pool
        self.strategy = strategy
        self.member = member
        self.attempts = attempts
    }
}

/// What a `notice` chunk tells the client about the request while it runs. Clients show it (nlctl
/// prints it on stderr) and MUST ignore kinds and fields they do not know.
public struct Notice: Sendable, Hashable, Codable {
    /// `retry`, `failover`, `queued`, `security` or `tool_loop`.
    public var kind: String
    /// The attempt about to start (2 for the first retry).
    public var attempt: Int?
    /// Milliseconds the daemon waits before that attempt, or the estimated queue wait.
    public var waitMs: Int?
    /// The failure class that caused a retry or failover.
    public var reason: String?
    /// `provider/model` of the member that failed (failover, retry).
    public var from: String?
    /// `provider/model` of the member tried next (failover).
    public var to: String?
    /// 1-based position in the admission queue (`queued`).
    public var position: Int?
    /// `security`: the prompt-injection score (0–1) that flagged the request.
    public var score: Double?
    /// `security`: the signal families that contributed (`instruction_override`, ...), never the text.
    public var signals: [String]?

    public init(
        kind: String,
        attempt: Int? = nil,
        waitMs: Int? = nil,
        reason: String? = nil,
        from: String? = nil,
        to: String? = nil,
        position: Int? = nil,
        score: Double? = nil,
        signals: [String]? = nil
    ) {
        self.kind = kind
        self.attempt = attempt
        self.waitMs = waitMs
        self.reason = reason
        self.from = from
        self.to = to
        self.position = position
        self.score = score
        self.signals = signals
    }

    public static let retry = "retry"
    public static let failover = "failover"
    public static let queued = "queued"
    /// The request was flagged by prompt-injection detection and goes on.
    public static let security = "security"
    /// The daemon's tool loop stopped (`reason`: `max_steps`): the model's last tool calls were
    /// not run.
    public static let toolLoop = "tool_loop"
}
