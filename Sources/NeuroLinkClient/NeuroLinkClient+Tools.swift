import NeuroLinkProtocol

/// What a client-executed tool returned: the text the model is shown, or why it failed.
public enum ClientToolOutput: Sendable, Hashable {
    case content(String)
    case error(String)
}

/// Runs a client-executed tool (a `tools` entry with `execution: client`) for the model.
public typealias ClientToolHandler = @Sendable (ToolCall) async -> ClientToolOutput

extension NeuroLinkClient {
    /// Streams an answer whose client-executed tools run in `handler`: when the model calls one,
    /// the handler runs on the consuming task before the `tool_call` chunk is returned, and its
    /// output goes back to the daemon (`tool.result`), which continues the answer with it. Calls of
    /// other tools are only passed on.
    public func streamEvents(
        _ request: StreamRequest,
        toolHandler: @escaping ClientToolHandler
    )
        -> ResponseStream<StreamEvent>
    {
        let names = Self.clientToolNames(request)
        return start(
            request,
            onElement: { [self] id in
                { event in
                    guard case .chunk(let chunk) = event else { return }
                    try await self.runClientTool(chunk, names: names, requestId: id, handler: toolHandler)
                }
            },
            transform: { $0 }
        )
    }

    /// Streams an answer's chunks, with client-executed tools run in `handler`; see
    /// ``streamEvents(_:toolHandler:)``.
    public func stream(
        _ request: StreamRequest,
        toolHandler: @escaping ClientToolHandler
    ) -> ResponseStream<StreamChunk> {
        let names = Self.clientToolNames(request)
        return start(
            request,
            onElement: { [self] id in
                { chunk in try await self.runClientTool(chunk, names: names, requestId: id, handler: toolHandler) }
            },
            transform: { event in
                if case .chunk(let chunk) = event { chunk } else { nil }
            }
        )
    }

    /// Sends the result of a client-executed tool call to the running request that waits for it;
    /// `false` when the request no longer takes it (it ended, or the call was not its).
    public func sendToolResult(_ result: ToolResultParams) async throws -> Bool {
        try await call(Method.toolResult, params: result).decode(as: ToolResultAck.self).accepted
    }

    private func runClientTool(
        _ chunk: StreamChunk,
        names: Set<String>,
        requestId: RPCID,
        handler: ClientToolHandler
    ) async throws {
        guard chunk.type == .toolCall, let call = chunk.toolCall, names.contains(call.name) else { return }
        let output = await handler(call)
        var result = ToolResultParams(requestId: requestId, toolCallId: call.id)
        switch output {
        case .content(let text): result.content = text
        case .error(let message): result.error = message
        }
        _ = try await sendToolResult(result)
    }

    private static func clientToolNames(_ request: StreamRequest) -> Set<String> {
        Set((request.tools ?? []).filter { $0.execution == .client }.map(\.name))
    }
}
