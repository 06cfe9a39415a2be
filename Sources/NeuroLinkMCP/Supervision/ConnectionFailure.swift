import NeuroLinkProtocol

/// A failure to start or keep a connection, with a short text fit for ``MCPServerStatus/lastError``.
struct ConnectionFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
