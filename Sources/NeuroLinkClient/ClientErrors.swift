import NeuroLinkProtocol

/// Failures of the connection itself, as opposed to errors the daemon reports (``RPCError``).
public enum NeuroLinkClientError: Error, Sendable, CustomStringConvertible {
    /// Nothing accepted a connection at the socket path.
    case daemonUnreachable(socketPath: String, reason: String)
    /// Another local user could have put the socket there, so nothing was sent to it
    /// (``SocketTrust``, docs/protocol.md §12); `reason` names the directory and what is wrong with it.
    case untrustedSocket(socketPath: String, reason: String)
    /// The daemon closed the connection before answering.
    case connectionClosed
    /// The daemon sent something this client cannot read.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .daemonUnreachable(let path, let reason):
            "cannot connect to neurolinkd at \(path): \(reason). Is the daemon running? Start it with `neurolinkd` "
                + "(or `systemctl start neurolinkd`), or point the client at its socket with --socket or NEUROLINK_SOCKET."
        case .untrustedSocket(let path, let reason):
            "refusing to connect to \(path): \(reason); another user could have put a socket there. "
                + "Use a socket in a directory only root or you can write to (see docs/protocol.md §12)."
        case .connectionClosed:
            "neurolinkd closed the connection before answering"
        case .protocolViolation(let detail):
            "unexpected message from neurolinkd: \(detail)"
        }
    }
}

extension RPCError {
    /// Whether the same request may succeed if repeated later.
    public var retryable: Bool { data.retryable }
    /// How long to wait before retrying, when known.
    public var retryAfterMs: Int? { data.retryAfterMs }
}

/// One item of a stream: a chunk, or the final result after the last chunk.
public enum StreamEvent: Sendable, Hashable {
    case chunk(StreamChunk)
    case result(StreamResult)
}
