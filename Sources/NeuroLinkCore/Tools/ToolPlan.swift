import NeuroLinkProtocol

/// What a request's tool loop may run: the tools offered to the model and who runs each, and how
/// many model turns it may take. Made once, before the first turn.
struct ToolPlan: Sendable {
    /// Who runs each tool the loop may run, by name. Tools absent here end the answer with
    /// `tool_calls` when the model calls them.
    var executions: [String: ToolExecution]
    var maxSteps: Int

    /// Whether the loop runs every one of `calls`; a turn that calls any other tool ends the
    /// request, leaving all of its calls to the client.
    func runs(_ calls: some Collection<ToolCall>) -> Bool {
        !calls.isEmpty && calls.allSatisfy { executions[$0.name] != nil }
    }

    /// The plan for `params`, and the tools to offer the model (the daemon's tools named or enabled,
    /// described in full; the client's as sent); `nil` when the daemon runs no tool for it.
    static func make(
        _ params: StreamRequest,
        catalog: ToolCatalog,
        allowed: (String) -> Bool,
        defaultMaxSteps: Int
    ) throws(RPCError) -> (plan: ToolPlan, offered: [ToolDefinition])? {
        var offered: [ToolDefinition] = []
        var executions: [String: ToolExecution] = [:]
        for (index, tool) in (params.tools ?? []).enumerated() {
            guard tool.execution == .daemon else {
                if let execution = tool.execution { executions[tool.name] = execution }
                offered.append(tool)
                continue
            }
            guard let definition = catalog.definition(tool.name) else {
                throw RPCError(
                    .invalidParams,
                    "params.tools[\(index)] names no daemon tool \(tool.name.debugDescription) (tools.list)"
                )
            }
            executions[tool.name] = .daemon
            offered.append(definition)
        }
        if params.enableTools == true {
            for definition in catalog.definitions where executions[definition.name] == nil && allowed(definition.name) {
                executions[definition.name] = .daemon
                offered.append(definition)
            }
        }
        guard !executions.isEmpty else { return nil }
        let plan = ToolPlan(executions: executions, maxSteps: params.maxSteps ?? defaultMaxSteps)
        return (plan, offered)
    }
}
