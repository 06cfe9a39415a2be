import NeuroLinkProtocol

/// What the manager knows about one configured server.
struct ServerRecord: Sendable {
    let settings: MCPServerSettings
    var phase: ServerPhase
    var tools: [MCPToolDescription] = []
    var restarts = 0
    var lastError: String?
    /// Ready, or failed at least once: what ``MCPManager/waitUntilReady(timeout:)`` waits for.
    var settled = false
    /// The live connection while ready.
    var connection: ServerConnection?

    var state: MCPServerStatus {
        MCPServerStatus(
            name: settings.name,
            transport: settings.transportKind,
            state: phase.rawValue,
            tools: tools.count,
            restarts: restarts,
            lastError: lastError
        )
    }
}
