import NeuroLinkProtocol

/// A chunk on its way to the client.
public enum OutgoingChunk: Sendable, Hashable {
    case text(String)
    case reasoning(String)
    case finish(FinishReason, Usage?)
    case toolCall(ToolCall)
    /// The structured-output object parsed so far.
    case object(JSONValue)
    /// A retry, failover or queue position the client may show.
    case notice(Notice)
}

/// Where a running request's chunks go: the client connection for `stream`, nowhere for
/// `generate`. `send` suspends while the client is not reading, which is what pauses the
/// upstream transfer.
public protocol ChunkSink {
    mutating func send(_ chunks: [OutgoingChunk]) async throws
    /// Whether chunks reach a client (counted in `chunks` and `timeToFirstChunkMs`).
    var deliversChunks: Bool { get }
}

extension ChunkSink {
    public var deliversChunks: Bool { true }
}

/// The sink of `generate`: chunks only feed the final result.
public struct DiscardingSink: ChunkSink {
    public init() {}
    public mutating func send(_ chunks: [OutgoingChunk]) async throws {}
    public var deliversChunks: Bool { false }
}
