/// How a Streamable HTTP session's GET event stream ended.
enum EventStreamEnding: Sendable, Equatable {
    /// The server offers no GET stream (405): notifications only come with responses.
    case unsupported
    /// The server no longer knows the session (404).
    case sessionExpired
    /// The server refused the stream with another status (for example 409: one stream only).
    case refused(Int)
    /// The stream failed or closed; `afterOpening` tells whether it had been established.
    case dropped(afterOpening: Bool, reason: String)
    /// The client closed it.
    case cancelled
}
