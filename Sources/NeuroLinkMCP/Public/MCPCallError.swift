/// Why a tool call through ``MCPManager/call(_:argumentsJSON:timeout:)`` failed.
public enum MCPCallError: Error, Sendable, Equatable {
    /// No ready or configured server offers a tool of that namespaced name.
    case unknownTool
    /// The tool's server (named) is not ready, or its connection failed during the call.
    case serverUnavailable(String)
    /// The call did not finish within its timeout; the server was asked to cancel it.
    case timeout
    /// The tool ran and reported an error (`isError`); the text is the tool's message.
    case toolError(String)
    /// The calling task was cancelled; the server was asked to cancel the call.
    case cancelled
    /// The arguments were not a JSON object, or the server answered with a protocol error.
    case protocolError(String)
}
