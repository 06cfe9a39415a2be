/// A tool offered by a ready MCP server, under its namespaced name.
public struct MCPToolDescription: Sendable, Hashable {
    /// The name of the server that offers the tool.
    public var server: String
    /// The namespaced name, `"\(server)__\(toolName)"`, matching `^[A-Za-z0-9_-]{1,64}$` so that it
    /// is a valid function name for every provider; tools whose namespaced name would not match are
    /// skipped.
    public var name: String
    /// The tool's name on its server.
    public var toolName: String
    /// The server's description of the tool.
    public var description: String?
    /// The tool's `inputSchema` as JSON text; `{"type":"object"}` when the server gave none.
    public var inputSchemaJSON: String

    /// Creates a tool description.
    public init(server: String, name: String, toolName: String, description: String?, inputSchemaJSON: String) {
        self.server = server
        self.name = name
        self.toolName = toolName
        self.description = description
        self.inputSchemaJSON = inputSchemaJSON
    }
}
