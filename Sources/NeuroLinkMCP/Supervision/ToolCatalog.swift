import Logging
import MCP

/// Turns a server's tool list into namespaced descriptions.
enum ToolCatalog {
    /// Tools whose namespaced name would not be a valid function name are skipped and logged.
    static func describe(_ tools: [Tool], server: String, logger: Logger) -> [MCPToolDescription] {
        var seen = Set<String>()
        return tools.compactMap { tool in
            guard let name = ToolNaming.namespaced(server: server, tool: tool.name) else {
                logger.warning("Skipping MCP tool with an unusable name", metadata: ["tool": "\(tool.name.prefix(80))"])
                return nil
            }
            guard seen.insert(name).inserted else { return nil }
            return MCPToolDescription(
                server: server,
                name: name,
                toolName: tool.name,
                description: tool.description,
                inputSchemaJSON: JSONText.schema(tool.inputSchema)
            )
        }
    }
}
