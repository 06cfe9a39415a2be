/// Thrown by the HTTP transport when the server cannot be reached or forgot the session: the
/// request failed because the connection did, not because of what it asked.
struct HTTPConnectionLost: Error, CustomStringConvertible {
    let description: String
}
