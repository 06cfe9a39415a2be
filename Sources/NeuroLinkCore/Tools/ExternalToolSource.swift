import NeuroLinkProtocol

/// Tools the daemon runs that live outside the configuration generation: MCP servers' tools,
/// whose lists change while the daemon runs. The daemon adapts its MCP supervisor to this.
public protocol ExternalToolSource: Sendable {
    /// The tools available now; `source` says where each comes from (`mcp:SERVER`).
    var tools: [ToolInfo] { get }
    /// Runs `name` within `timeout`: its output, or the error the model is shown; `nil` when no
    /// tool has that name.
    func call(_ name: String, argumentsJSON: String, timeout: Duration) async -> Result<String, ExternalToolFailure>?
}

/// Why an external tool gave no output: shown to the model (and in `tool_result`) as the error.
public struct ExternalToolFailure: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
