/// What a live connection tells its supervisor.
enum ConnectionEvent: Sendable {
    /// The server sent `notifications/tools/list_changed`.
    case toolsChanged
    /// The connection is gone (process exited, server unreachable, health check failed).
    case lost(String)
}
