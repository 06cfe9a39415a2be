import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

/// Writes a request's output to its connection: for `stream`, each batch of chunks as
/// `stream.chunk` frames in one buffer and one write (the write suspends while the client is not
/// reading, and that suspension is what pauses the upstream transfer); then, for both `stream`
/// and `generate`, the response frame.
struct ResponseWriter: ChunkSink {
    let outbound: ChannelOutbound
    let requestId: RPCID
    let allocator: ByteBufferAllocator
    /// `false` for `generate`: chunks only feed the result.
    let deliversChunks: Bool
    private(set) var seq = 0
    private(set) var bytesSent = 0

    init(
        outbound: ChannelOutbound,
        requestId: RPCID,
        allocator: ByteBufferAllocator,
        streaming: Bool
    ) {
        self.outbound = outbound
        self.requestId = requestId
        self.allocator = allocator
        deliversChunks = streaming
    }

    nonisolated(nonsending) mutating func send(_ chunks: [OutgoingChunk]) async throws {
        guard deliversChunks else { return }
        var buffer = allocator.buffer(capacity: 160 * chunks.count)
        for chunk in chunks {
            try write(chunk, into: &buffer)
            seq += 1
        }
        bytesSent += buffer.readableBytes
        try await outbound.write(buffer)
    }

    mutating func respond(_ result: Result<StreamResult, RPCError>) async {
        let frame = Frames.reply(id: requestId, result, allocator: allocator)
        bytesSent += frame.readableBytes
        try? await outbound.write(frame)
    }

    private func write(_ chunk: OutgoingChunk, into buffer: inout ByteBuffer) throws {
        switch chunk {
        case .text(let content):
            Frames.writeContentChunk(into: &buffer, requestId: requestId, seq: seq, type: .text, content: content)
        case .reasoning(let content):
            Frames.writeContentChunk(into: &buffer, requestId: requestId, seq: seq, type: .reasoning, content: content)
        case .finish(let reason, let usage):
            Frames.writeFinishChunk(into: &buffer, requestId: requestId, seq: seq, finishReason: reason, usage: usage)
        case .toolCall(let call):
            try Frames.writeChunk(
                into: &buffer,
                StreamChunk(requestId: requestId, seq: seq, type: .toolCall, toolCall: call)
            )
        case .object(let object):
            try Frames.writeChunk(
                into: &buffer,
                StreamChunk(requestId: requestId, seq: seq, type: .object, object: object)
            )
        case .notice(let notice):
            try Frames.writeChunk(
                into: &buffer,
                StreamChunk(requestId: requestId, seq: seq, type: .notice, notice: notice)
            )
        case .analytics(let figures):
            try Frames.writeChunk(
                into: &buffer,
                StreamChunk(requestId: requestId, seq: seq, type: .analytics, analytics: figures)
            )
        case .evaluation(let outcome):
            try Frames.writeChunk(
                into: &buffer,
                StreamChunk(requestId: requestId, seq: seq, type: .evaluation, evaluation: outcome)
            )
        case .toolResult(let result):
            try Frames.writeChunk(
                into: &buffer,
                StreamChunk(requestId: requestId, seq: seq, type: .toolResult, toolResult: result)
            )
        }
    }
}
