import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

/// Sends a request's chunks to its connection as `stream.chunk` frames. All chunks handed over in
/// one call go out in one buffer and one write; the write suspends while the client is not
/// reading, and that suspension is what pauses the upstream transfer.
struct ChunkWriter: ChunkSink {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let requestId: RPCID
    let allocator: ByteBufferAllocator
    private(set) var seq = 0

    init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, requestId: RPCID, allocator: ByteBufferAllocator) {
        self.outbound = outbound
        self.requestId = requestId
        self.allocator = allocator
    }

    mutating func send(_ chunks: [OutgoingChunk]) async throws {
        var buffer = allocator.buffer(capacity: 160 * chunks.count)
        for chunk in chunks {
            switch chunk {
            case .text(let content):
                Frames.writeContentChunk(into: &buffer, requestId: requestId, seq: seq, type: .text, content: content)
            case .reasoning(let content):
                Frames.writeContentChunk(
                    into: &buffer,
                    requestId: requestId,
                    seq: seq,
                    type: .reasoning,
                    content: content
                )
            case .finish(let reason, let usage):
                Frames.writeFinishChunk(
                    into: &buffer,
                    requestId: requestId,
                    seq: seq,
                    finishReason: reason,
                    usage: usage
                )
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
            }
            seq += 1
        }
        try await outbound.write(buffer)
    }
}
