/// A request received by ``LoopbackUpstream``, with what became of its response.
public struct RecordedRequest: Sendable {
    /// The HTTP method, e.g. `POST`.
    public var method: String
    /// The request target as sent, including any query string.
    public var path: String
    /// Header fields in the order received.
    public var headers: [(name: String, value: String)]
    /// The raw request body.
    public var body: [UInt8]
    /// The `model` field of the JSON body, if any.
    public var model: String?
    /// When the request head arrived.
    public var receivedAt: ContinuousClock.Instant
    /// When the client closed the connection before the server finished the response
    /// (`nil` if it didn't).
    public var clientClosedAt: ContinuousClock.Instant?
    /// When the server finished writing the response (`nil` if it never did).
    public var completedAt: ContinuousClock.Instant?
    /// When the server deliberately closed the connection mid-response, as
    /// ``OpenAIStream/Ending/dropAfter(pieces:)`` does (`nil` otherwise).
    public var serverAbortedAt: ContinuousClock.Instant?

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Whether the response is over: completed, aborted by the server, or abandoned by the client.
    public var isSettled: Bool {
        completedAt != nil || clientClosedAt != nil || serverAbortedAt != nil
    }
}
