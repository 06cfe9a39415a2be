/// The server connection and tool name a namespaced tool name resolves to.
struct CallTarget: Sendable {
    let server: String
    let toolName: String
    let connection: ServerConnection
}
