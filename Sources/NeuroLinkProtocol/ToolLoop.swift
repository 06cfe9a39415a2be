/// The outcome of one tool call the daemon's tool loop made: sent as a `tool_result` chunk and
/// listed in the result's `steps`.
public struct ToolResult: Sendable, Hashable, Codable {
    /// The id of the model's call this answers (`tool_call` chunk).
    public var id: String
    public var name: String
    /// What the tool returned (what the model is shown), cut at `tools.max_output_bytes`.
    public var content: String?
    /// Why the tool failed, when it did; the model is shown this instead.
    public var error: String?
    public var durationMs: Double
    /// `daemon` or `client`: who ran the tool.
    public var execution: ToolExecution
    /// The output looked like a prompt injection: `flagged` (passed on) or `blocked` (the model
    /// was shown an error instead).
    public var injection: String?

    public init(
        id: String,
        name: String,
        content: String? = nil,
        error: String? = nil,
        durationMs: Double,
        execution: ToolExecution,
        injection: String? = nil
    ) {
        self.id = id
        self.name = name
        self.content = content
        self.error = error
        self.durationMs = durationMs
        self.execution = execution
        self.injection = injection
    }

    /// The text the model is shown for this call.
    public var messageForModel: String {
        if let error { return "Error: \(error)" }
        return content ?? ""
    }
}

/// One model turn of a request whose tools the daemon ran: the calls the model made in it and
/// their results.
public struct ToolStep: Sendable, Hashable, Codable {
    /// 1, 2, ...
    public var step: Int
    public var toolCalls: [ToolCall]
    public var toolResults: [ToolResult]
    public var finishReason: FinishReason
    public var usage: Usage?
    public var provider: String
    public var model: String

    public init(
        step: Int,
        toolCalls: [ToolCall],
        toolResults: [ToolResult],
        finishReason: FinishReason,
        usage: Usage?,
        provider: String,
        model: String
    ) {
        self.step = step
        self.toolCalls = toolCalls
        self.toolResults = toolResults
        self.finishReason = finishReason
        self.usage = usage
        self.provider = provider
        self.model = model
    }
}

/// Params of `tool.result`: the outcome of a client-executed tool call, for a running request of
/// the same connection.
public struct ToolResultParams: Sendable, Hashable, Codable {
    /// The `id` of the running `stream` or `generate` request.
    public var requestId: RPCID
    /// The `id` of the `tool_call` chunk's call.
    public var toolCallId: String
    /// What the tool returned; exactly one of `content` and `error`.
    public var content: String?
    /// Why the tool failed.
    public var error: String?

    public init(requestId: RPCID, toolCallId: String, content: String? = nil, error: String? = nil) {
        self.requestId = requestId
        self.toolCallId = toolCallId
        self.content = content
        self.error = error
    }

    /// Parses and checks `params`.
    public init(json: JSONValue?) throws(RPCError) {
        guard let object = json?.objectValue else { throw RPCError(.invalidParams, "params must be an object") }
        for key in object.keys where !["requestId", "toolCallId", "content", "error"].contains(key) {
            throw RPCError(.invalidParams, "params.\(key) is not a known parameter")
        }
        guard let raw = object["requestId"], let requestId = RPCID(json: raw) else {
            throw RPCError(.invalidParams, "params.requestId must be the id of a running request")
        }
        guard let id = object["toolCallId"]?.stringValue, !id.isEmpty, id.utf8.count <= 256 else {
            throw RPCError(.invalidParams, "params.toolCallId must be the id of the tool_call chunk's call")
        }
        let content = object["content"].flatMap { $0 == .null ? nil : $0 }
        let error = object["error"].flatMap { $0 == .null ? nil : $0 }
        guard (content == nil) != (error == nil), (content ?? error)?.stringValue != nil else {
            throw RPCError(.invalidParams, "params takes exactly one of content and error, a string")
        }
        self.init(requestId: requestId, toolCallId: id, content: content?.stringValue, error: error?.stringValue)
    }
}

/// Result of `tool.result`: whether the request was waiting for (or may still wait for) that call.
public struct ToolResultAck: Sendable, Hashable, Codable {
    public var accepted: Bool
    public init(accepted: Bool) { self.accepted = accepted }
}
