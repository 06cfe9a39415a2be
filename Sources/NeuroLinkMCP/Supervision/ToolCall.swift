import MCP

/// One `tools/call` with its time limit and the mapping of every failure to ``MCPCallError``.
struct ToolCall: Sendable {
    let target: CallTarget
    let arguments: [String: Value]
    let timeout: Duration

    func perform() async throws(MCPCallError) -> String {
        let connection = target.connection
        let request: RequestContext<CallTool.Result>
        do {
            request = try await connection.startCall(target.toolName, arguments: arguments)
        } catch {
            throw failure(error)
        }
        let result: CallTool.Result
        do {
            guard let finished = try await TimeLimit.run(timeout, { try await request.value }) else {
                connection.cancel(request.requestID)
                throw MCPCallError.timeout
            }
            result = finished
        } catch let error as MCPCallError {
            throw error
        } catch is CancellationError where Task.isCancelled {
            connection.cancel(request.requestID)
            throw .cancelled
        } catch {
            throw failure(error)
        }
        let text = ToolResultText.render(result.content, structured: result.structuredContent)
        if result.isError == true { throw .toolError(text) }
        return text
    }

    /// A failure caused by the connection makes the server unavailable; anything else is the
    /// server's answer to this call.
    private func failure(_ error: any Error) -> MCPCallError {
        if target.connection.isClosed || ServerConnection.isConnectionFailure(error) {
            return .serverUnavailable(target.server)
        }
        return .protocolError(ShortError.text(error))
    }
}
