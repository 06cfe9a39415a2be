import NeuroLinkBasics

/// Params of `analytics.report`: aggregates of the requests that started in `[since, until)`.
public struct AnalyticsReportRequest: Sendable, Hashable, Codable {
    /// What the rows are grouped by.
    public enum Grouping: String, Sendable, Hashable, Codable, CaseIterable {
        case provider, model, tenant, pool, member, error, hour
    }

    /// Seconds since 1970.
    public var since: Double
    /// Seconds since 1970; now when absent.
    public var until: Double?
    public var by: Grouping

    public init(since: Double, until: Double? = nil, by: Grouping = .provider) {
        self.since = since
        self.until = until
        self.by = by
    }

    /// Reads and validates `params`.
    public init(json: JSONValue?) throws(RPCError) {
        let params = try IntrospectionParams.object(json, known: ["since", "until", "by"])
        (since, until) = try AnalyticsTimeRange.read(params)
        switch params["by"] {
        case nil, .null?: by = .provider
        case .string(let name)?:
            guard let grouping = Grouping(rawValue: name) else {
                let known = Grouping.allCases.map(\.rawValue).joined(separator: ", ")
                throw RPCError(.invalidParams, "params.by must be one of \(known)")
            }
            by = grouping
        case let other?:
            throw RPCError(.invalidParams, "params.by must be a string, not \(other.typeName)")
        }
    }
}

/// Result of `analytics.report`.
public struct AnalyticsReport: Sendable, Hashable, Codable {
    public var since: Double
    public var until: Double
    public var by: AnalyticsReportRequest.Grouping
    /// One entry per group, most requests first.
    public var groups: [Group]
    /// Advice drawn from the figures (a slow pool, a high error rate); empty when there is none.
    public var recommendations: [String]

    /// The figures of one group of requests.
    public struct Group: Sendable, Hashable, Codable {
        /// The group's value (`-` for requests without one, such as the pool of a request that named a provider).
        public var key: String
        public var requests: Int
        public var succeeded: Int
        /// `succeeded / requests`, 0...1.
        public var successRate: Double
        /// Time to first chunk of the requests that had one.
        public var timeToFirstChunkMs: Percentiles?
        public var durationMs: Percentiles
        public var inputTokens: Int
        public var outputTokens: Int
        /// Requests whose token counts the daemon estimated (the provider reported none).
        public var estimatedTokenRequests: Int
        /// Mean output tokens per second of the requests that produced output.
        public var tokensPerSecond: Double?
        /// US dollars of the requests whose model has a price; absent when none has.
        public var cost: Double?
        /// Requests whose cost is unknown (the model has no price).
        public var costUnknownRequests: Int
        /// The most frequent error types, most frequent first (at most three).
        public var topErrors: [ErrorCount]
        /// The judge's mean scores, when requests of the group asked for evaluation.
        public var evaluation: EvaluationAverages?
        /// What the response cache did for the group's requests, when it took part in any.
        public var cache: CacheFigures?

        public init(key: String, requests: Int, succeeded: Int, durationMs: Percentiles) {
            self.key = key
            self.requests = requests
            self.succeeded = succeeded
            successRate = requests > 0 ? Double(succeeded) / Double(requests) : 0
            self.durationMs = durationMs
            inputTokens = 0
            outputTokens = 0
            estimatedTokenRequests = 0
            costUnknownRequests = 0
            topErrors = []
        }
    }

    /// Nearest-rank percentiles: the smallest value at or above that share of the sorted values.
    public struct Percentiles: Sendable, Hashable, Codable {
        public var p50: Double
        public var p95: Double
        public var p99: Double

        public init(p50: Double, p95: Double, p99: Double) {
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
        }
    }

    /// The response cache's part in a group's requests.
    public struct CacheFigures: Sendable, Hashable, Codable {
        public var hits: Int
        public var misses: Int
        public var bypassed: Int
        /// `hits / (hits + misses)`; absent without lookups.
        public var hitRate: Double?
        /// US dollars the hits did not spend.
        public var savedCost: Double?

        public init(hits: Int, misses: Int, bypassed: Int) {
            self.hits = hits
            self.misses = misses
            self.bypassed = bypassed
            hitRate = hits + misses > 0 ? Double(hits) / Double(hits + misses) : nil
        }
    }

    /// Mean judge scores of a group's evaluated requests (`enableEvaluation`).
    public struct EvaluationAverages: Sendable, Hashable, Codable {
        /// Requests the judge scored.
        public var scored: Int
        /// Requests that asked for evaluation and got none (`evaluationError`).
        public var failed: Int
        /// Means over the scored requests, 1–10; absent when none was scored.
        public var relevance: Double?
        public var accuracy: Double?
        public var completeness: Double?
        public var overall: Double?

        public init(scored: Int, failed: Int) {
            self.scored = scored
            self.failed = failed
        }
    }

    public struct ErrorCount: Sendable, Hashable, Codable {
        public var type: String
        public var count: Int

        public init(type: String, count: Int) {
            self.type = type
            self.count = count
        }
    }

    public init(since: Double, until: Double, by: AnalyticsReportRequest.Grouping, groups: [Group]) {
        self.since = since
        self.until = until
        self.by = by
        self.groups = groups
        recommendations = []
    }
}

/// Params of `analytics.export`: the rows of requests that started in `[since, until)`, oldest
/// first, one page per call. Pass the previous page's `next` as `after` for the next page.
public struct AnalyticsExportRequest: Sendable, Hashable, Codable {
    /// Most rows one page holds.
    public static let maxLimit = 1000

    public var since: Double
    public var until: Double?
    /// The `next` of the previous page; absent for the first.
    public var after: Int?
    /// Rows per page, 1...1000 (default 200).
    public var limit: Int

    public init(since: Double, until: Double? = nil, after: Int? = nil, limit: Int = 200) {
        self.since = since
        self.until = until
        self.after = after
        self.limit = limit
    }

    public init(json: JSONValue?) throws(RPCError) {
        let params = try IntrospectionParams.object(json, known: ["since", "until", "after", "limit"])
        (since, until) = try AnalyticsTimeRange.read(params)
        after = try AnalyticsTimeRange.integer(params["after"], "after", range: 0...Int.maxSafeJSONInteger)
        limit = try AnalyticsTimeRange.integer(params["limit"], "limit", range: 1...Self.maxLimit) ?? 200
    }
}

/// Result of `analytics.export`.
public struct AnalyticsExportPage: Sendable, Hashable, Codable {
    /// Every column a row may have, in the table's order (docs/protocol.md, `analytics.export`);
    /// a row leaves out the columns that are NULL.
    public static let columns = [
        "id", "request_id", "started_at", "method", "outcome", "tenant", "tenant_sub_key", "uid", "user", "gid",
        "user_id", "session_id", "context", "provider", "model", "pool", "member", "attempts", "ttfc_ms",
        "duration_ms", "chunks", "bytes", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens",
        "tokens_estimated", "tokens_per_second", "cost", "finish_reason", "error_type", "failure_class",
        "eval_relevance", "eval_accuracy", "eval_completeness", "eval_overall", "eval_judge", "eval_error",
        "cache_status", "cache_age_ms", "cache_saved_cost", "cache_similarity", "error_rule", "injection_score",
        "injection_action", "redactions", "filtered", "tool_steps", "tool_calls",
    ]

    /// One object per request, with the columns docs/protocol.md lists.
    public var rows: [JSONValue]
    /// Pass as `after` for the next page; absent on the last page.
    public var next: Int?

    public init(rows: [JSONValue], next: Int?) {
        self.rows = rows
        self.next = next
    }
}

/// Reading `since`/`until` and other numbers of the analytics methods.
enum AnalyticsTimeRange {
    /// Latest instant accepted: the year 10000.
    static let maxSeconds = 253_402_300_800.0

    static func read(_ params: [String: JSONValue]) throws(RPCError) -> (since: Double, until: Double?) {
        guard let since = try seconds(params["since"], "since") else {
            throw RPCError(.invalidParams, "params.since is required (seconds since 1970)")
        }
        let until = try seconds(params["until"], "until")
        if let until, until < since { throw RPCError(.invalidParams, "params.until must not be before params.since") }
        return (since, until)
    }

    private static func seconds(_ value: JSONValue?, _ name: String) throws(RPCError) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .number(let seconds)? where seconds.isFinite && (0...maxSeconds).contains(seconds): return seconds
        case let other?:
            throw RPCError(
                .invalidParams,
                "params.\(name) must be seconds since 1970, not \(other.typeName == "number" ? "that number" : other.typeName)"
            )
        }
    }

    static func integer(_ value: JSONValue?, _ name: String, range: ClosedRange<Int>) throws(RPCError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case let number? where number.intValue.map(range.contains) == true: return number.intValue
        default:
            throw RPCError(
                .invalidParams,
                "params.\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)"
            )
        }
    }
}

/// The analytics store in `status`.
public struct AnalyticsStatus: Sendable, Hashable, Codable {
    public var enabled: Bool
    /// The database file (admins only).
    public var path: String?
    /// Why the store is unavailable, when it is (it could not be opened).
    public var error: String?
    public var rowsWritten: Int
    /// Rows lost because the queue was full or a write failed.
    public var rowsDropped: Int
    public var rowsQueued: Int
    /// Requests left out by `analytics.sampling_rate`.
    public var sampledOut: Int

    public init(
        enabled: Bool,
        path: String? = nil,
        error: String? = nil,
        rowsWritten: Int = 0,
        rowsDropped: Int = 0,
        rowsQueued: Int = 0,
        sampledOut: Int = 0
    ) {
        self.enabled = enabled
        self.path = path
        self.error = error
        self.rowsWritten = rowsWritten
        self.rowsDropped = rowsDropped
        self.rowsQueued = rowsQueued
        self.sampledOut = sampledOut
    }
}

/// An `analytics` chunk: how a running `stream` request is doing, sent at most every
/// `analytics.stream_interval_ms` while its answer arrives.
public struct LiveAnalytics: Sendable, Hashable, Codable {
    /// Milliseconds since the request arrived.
    public var elapsedMs: Double
    /// Absent until the first piece of the answer was sent.
    public var timeToFirstChunkMs: Double?
    /// Output tokens so far: estimated from the text delivered (providers report usage only at the end).
    public var outputTokens: Int
    public var outputTokensEstimated: Bool
    /// Output tokens per second since the first chunk.
    public var tokensPerSecond: Double?

    public init(
        elapsedMs: Double,
        timeToFirstChunkMs: Double?,
        outputTokens: Int,
        outputTokensEstimated: Bool = true,
        tokensPerSecond: Double?
    ) {
        self.elapsedMs = elapsedMs
        self.timeToFirstChunkMs = timeToFirstChunkMs
        self.outputTokens = outputTokens
        self.outputTokensEstimated = outputTokensEstimated
        self.tokensPerSecond = tokensPerSecond
    }
}

/// `analytics` in a result, with `enableAnalytics`.
public struct ResultAnalytics: Sendable, Hashable, Codable {
    public var provider: String
    public var model: String
    public var timeToFirstChunkMs: Double?
    public var durationMs: Double
    /// Output tokens per second from the first chunk to the end.
    public var tokensPerSecond: Double?
    public var usage: Usage?
    /// US dollars; absent when the model's price is unknown.
    public var cost: Double?

    public init(
        provider: String,
        model: String,
        timeToFirstChunkMs: Double?,
        durationMs: Double,
        tokensPerSecond: Double?,
        usage: Usage?,
        cost: Double?
    ) {
        self.provider = provider
        self.model = model
        self.timeToFirstChunkMs = timeToFirstChunkMs
        self.durationMs = durationMs
        self.tokensPerSecond = tokensPerSecond
        self.usage = usage
        self.cost = cost
    }

    /// Output tokens per second of generation: `outputTokens` over the time from the first chunk
    /// (or the start, without one) to the end; `nil` without output or time.
    public static func tokensPerSecond(outputTokens: Int, durationMs: Double, timeToFirstChunkMs: Double?) -> Double? {
        let generationMs = durationMs - (timeToFirstChunkMs ?? 0)
        guard outputTokens > 0, generationMs > 0 else { return nil }
        return (Double(outputTokens) / (generationMs / 1000) * 100).rounded() / 100
    }
}
