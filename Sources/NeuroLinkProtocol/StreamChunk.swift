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

    public init(
        requestId: RPCID, seq: Int, type: ChunkType, content: String? = nil, finishReason: FinishReason? = nil,
        usage: Usage? = nil, toolCall: ToolCall? = nil, object: JSONValue? = nil
    ) {
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

    public init(
        text: String, reasoning: String? = nil, finishReason: FinishReason, usage: Usage?, provider: String,
        model: String, timings: Timings, chunks: Int, toolCalls: [ToolCall]? = nil, object: JSONValue? = nil,
        objectError: String? = nil, route: RouteInfo? = nil
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

    public init(requested: String, reason: String, skipped: [Skipped] = []) {
        self.requested = requested
        self.reason = reason
        self.skipped = skipped
    }
}
