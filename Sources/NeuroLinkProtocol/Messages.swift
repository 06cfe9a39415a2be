import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Builds complete frames for every message kind. Chunk notifications, the hot path, and a stream's
/// result (``StreamResultFrame``) are written by hand straight into the buffer; everything else goes
/// through `JSONEncoder` once.
public enum Frames {
    private struct Request<Params: Encodable>: Encodable {
        let jsonrpc = ProtocolInfo.jsonrpc
        let id: RPCID
        let method: String
        let params: Params
    }

    private struct Success<Result: Encodable>: Encodable {
        let jsonrpc = ProtocolInfo.jsonrpc
        let id: RPCID
        let result: Result
    }

    private struct Failure: Encodable {
        let jsonrpc = ProtocolInfo.jsonrpc
        let id: RPCID?
        let error: RPCError

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(jsonrpc, forKey: .jsonrpc)
            try c.encode(id, forKey: .id)  // `null` when the request's id could not be read.
            try c.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case jsonrpc, id, error }
    }

    private struct EmptyParams: Encodable {}

    /// A request frame.
    public static func request(
        id: RPCID,
        method: String,
        params: some Encodable,
        allocator: ByteBufferAllocator
    )
        throws -> ByteBuffer
    {
        try encoded(Request(id: id, method: method, params: params), allocator: allocator)
    }

    /// A request frame without params.
    public static func request(id: RPCID, method: String, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        try encoded(Request(id: id, method: method, params: EmptyParams()), allocator: allocator)
    }

    /// A success response frame.
    public static func response(id: RPCID, result: some Encodable, allocator: ByteBufferAllocator) throws -> ByteBuffer
    {
        try encoded(Success(id: id, result: result), allocator: allocator)
    }

    /// The response frame to a request: its result, or its error. A result that cannot be encoded
    /// becomes an `internal` error.
    public static func reply(
        id: RPCID,
        _ result: Result<some Encodable, RPCError>,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        switch result {
        case .success(let value):
            if let streamResult = value as? StreamResult,
                let frame = StreamResultFrame.frame(streamResult, id: id, allocator: allocator)
            {
                return frame
            }
            return (try? response(id: id, result: value, allocator: allocator))
                ?? error(id: id, RPCError(.internal, "could not encode the result"), allocator: allocator)
        case .failure(let failure):
            return error(id: id, failure, allocator: allocator)
        }
    }

    /// An error response frame; `id` is `nil` when the request's id could not be determined.
    public static func error(id: RPCID?, _ error: RPCError, allocator: ByteBufferAllocator) -> ByteBuffer {
        // Encoding these plain value types cannot fail; fall back to a fixed frame all the same.
        (try? encoded(Failure(id: id, error: error), allocator: allocator))
            ?? fixed(
                #"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error","data":{"type":"internal","retryable":false}}}"#,
                allocator: allocator
            )
    }

    /// Writes a `stream.chunk` notification frame carrying text (`text` or `reasoning`), in one
    /// pass (``ContentChunkFrame``).
    public static func writeContentChunk(
        into buffer: inout ByteBuffer,
        requestId: RPCID,
        seq: Int,
        type: ChunkType,
        content: String
    ) {
        var content = content
        var type = type.rawValue
        type.withUTF8 { type in
            content.withUTF8 { content in
                let bound = ContentChunkFrame.maximumBytes(id: requestId, type: type, content: content)
                _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { memory in
                    ContentChunkFrame.write(into: memory, id: requestId, seq: seq, type: type, content: content)
                }
            }
        }
    }

    /// Writes a `finish` chunk notification frame.
    public static func writeFinishChunk(
        into buffer: inout ByteBuffer,
        requestId: RPCID,
        seq: Int,
        finishReason: FinishReason,
        usage: Usage?
    ) {
        buffer.writeFrame { b in
            writeChunkHead(into: &b, requestId: requestId, seq: seq, type: .finish)
            b.writeStaticString(#","finishReason":"#)
            b.writeJSONString(finishReason.rawValue)
            if let usage {
                b.writeStaticString(#","usage":"#)
                b.writeJSONUsage(usage)
            }
            b.writeStaticString("}}")
        }
    }

    private struct ChunkNotification: Encodable {
        let jsonrpc = ProtocolInfo.jsonrpc
        let method = Method.streamChunk
        let params: StreamChunk
    }

    /// Writes any chunk through `JSONEncoder`: for the rare kinds (`tool_call`, `object`, ...).
    public static func writeChunk(into buffer: inout ByteBuffer, _ chunk: StreamChunk) throws {
        let data = try JSONEncoder().encode(ChunkNotification(params: chunk))
        buffer.writeFrame { $0.writeBytes(data) }
    }

    @inlinable
    static func writeChunkHead(into b: inout ByteBuffer, requestId: RPCID, seq: Int, type: ChunkType) {
        b.writeStaticString(#"{"jsonrpc":"2.0","method":"stream.chunk","params":{"requestId":"#)
        b.writeJSONID(requestId)
        b.writeStaticString(#","seq":"#)
        b.writeString(String(seq))
        b.writeStaticString(#","type":"#)
        b.writeJSONString(type.rawValue)
    }

    private static func encoded(_ value: some Encodable, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let data = try JSONEncoder().encode(value)
        var buffer = allocator.buffer(capacity: data.count + 4)
        buffer.writeInteger(UInt32(data.count))
        buffer.writeBytes(data)
        return buffer
    }

    private static func fixed(_ json: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: json.utf8.count + 4)
        buffer.writeFrame { $0.writeString(json) }
        return buffer
    }
}
