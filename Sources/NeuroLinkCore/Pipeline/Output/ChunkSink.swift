import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

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
    /// Figures of the running request (`enableAnalytics`).
    case analytics(LiveAnalytics)
    /// The judge's scores of the answer (`enableEvaluation`), or why there are none.
    case evaluation(EvaluationOutcome)
    /// The outcome of a tool the tool loop ran.
    case toolResult(ToolResult)
}

/// Where a running request's output goes: its chunks (to the client connection for `stream`,
/// nowhere for `generate`), then its final response. `send` suspends while the client is not
/// reading, which is what pauses the upstream transfer.
public protocol ChunkSink: Sendable {
    /// `nonisolated(nonsending)`, as every async function a relayed chunk goes through: it runs on
    /// its caller's executor. A plain `nonisolated` one hops to the generic executor on entry and
    /// its caller hops back after it, and under a task executor preference every hop looks the
    /// preference up under the task's status lock: 16 hops per relayed chunk before, 5 after
    /// (docs/architecture.md, "Threads and event loops").
    nonisolated(nonsending) mutating func send(_ chunks: [OutgoingChunk]) async throws
    /// The request's final response, after its last chunk. The request stays registered (the
    /// drain waits for it) until this returns.
    mutating func respond(_ result: Result<StreamResult, RPCError>) async
    /// Whether chunks reach a client (counted in `chunks` and `timeToFirstChunkMs`).
    var deliversChunks: Bool { get }
    /// Bytes written to the client so far, for the request's record.
    var bytesSent: Int { get }
}

extension ChunkSink {
    public mutating func respond(_ result: Result<StreamResult, RPCError>) async {}
    public var deliversChunks: Bool { true }
    public var bytesSent: Int { 0 }
}

/// The sink of `generate`: chunks only feed the final result.
public struct DiscardingSink: ChunkSink {
    public init() {}
    public nonisolated(nonsending) mutating func send(_ chunks: [OutgoingChunk]) async throws {}
    public var deliversChunks: Bool { false }
}
