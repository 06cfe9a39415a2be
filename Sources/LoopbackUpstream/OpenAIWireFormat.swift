import NIOCore

/// Byte-exact OpenAI Chat Completions payloads (stream chunks and JSON bodies).
enum OpenAIWireFormat {
    static let completionID = "chatcmpl-loop1"
    static let created = 1_700_000_000
    static let systemFingerprint = "fp_loop"
    /// The model reported when a request names none.
    static let fallbackModel = "loop-model"

    static let modelsList =
        #"{"object":"list","data":[{"id":"loop-model","object":"model","created":1700000000,"owned_by":"loopback"}]}"#

    /// `POST /v1/embeddings`: one fixed three-dimensional vector for `loop-model`.
    static let embeddingsList =
        #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5,1]}],"model":"loop-model","usage":{"prompt_tokens":2,"total_tokens":2}}"#

    /// The `usage` object for the given token counts. The total saturates: tests send counts up to
    /// `Int.max` to see what the daemon makes of them.
    static func usageObject(prompt: Int, completion: Int) -> String {
        let (sum, overflow) = prompt.addingReportingOverflow(completion)
        let total = overflow ? (completion > 0 ? Int.max : Int.min) : sum
        return #"{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(total),"#
            + #""prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}"#
    }

    /// `{"error":{"message":...,"type":...,"param":null,"code":...}}`.
    static func errorObject(message: String, type: String, code: String?) -> String {
        let codeJSON = code.map { "\"\(JSONEscaping.escaped($0))\"" } ?? "null"
        return #"{"error":{"message":"\#(JSONEscaping.escaped(message))","type":"\#(JSONEscaping.escaped(type))","#
            + #""param":null,"code":\#(codeJSON)}}"#
    }

    /// A non-streaming `chat.completion` object.
    static func completionObject(
        model: String,
        content: String,
        finishReason: String,
        usage: (prompt: Int, completion: Int)
    ) -> String {
        #"{"id":"\#(completionID)","object":"chat.completion","created":\#(created),"#
            + #""model":"\#(JSONEscaping.escaped(model))","system_fingerprint":"\#(systemFingerprint)","#
            + #""choices":[{"index":0,"message":{"role":"assistant","content":"\#(JSONEscaping.escaped(content))","#
            + #""refusal":null},"logprobs":null,"finish_reason":"\#(JSONEscaping.escaped(finishReason))"}],"#
            + #""usage":\#(usageObject(prompt: usage.prompt, completion: usage.completion))}"#
    }
}

/// Encodes the SSE events of one streamed chat completion, each as `data: ...\n\n`.
struct OpenAIChunkEncoder {
    /// Everything up to and including `"choices":`.
    private let prefix: String
    /// Closes a chunk: `,"usage":null}\n\n` when usage was requested, else `}\n\n`.
    private let suffix: String

    init(model: String, includeUsage: Bool) {
        prefix =
            #"data: {"id":"\#(OpenAIWireFormat.completionID)","object":"chat.completion.chunk","#
            + #""created":\#(OpenAIWireFormat.created),"model":"\#(JSONEscaping.escaped(model))","#
            + #""system_fingerprint":"\#(OpenAIWireFormat.systemFingerprint)","choices":"#
        suffix = includeUsage ? ",\"usage\":null}\n\n" : "}\n\n"
    }

    func roleChunk(allocator: ByteBufferAllocator) -> ByteBuffer {
        chunk(allocator: allocator) { buffer in
            buffer.writeStaticString(
                #"[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]"#
            )
        }
    }

    func contentChunk(_ piece: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        chunk(allocator: allocator, extraCapacity: piece.utf8.count) { buffer in
            buffer.writeStaticString(#"[{"index":0,"delta":{"content":""#)
            JSONEscaping.write(piece, into: &buffer)
            buffer.writeStaticString(#""},"logprobs":null,"finish_reason":null}]"#)
        }
    }

    func finishChunk(reason: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        chunk(allocator: allocator) { buffer in
            buffer.writeStaticString(#"[{"index":0,"delta":{},"logprobs":null,"finish_reason":""#)
            JSONEscaping.write(reason, into: &buffer)
            buffer.writeStaticString(#""}]"#)
        }
    }

    func usageChunk(prompt: Int, completion: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: prefix.utf8.count + 256)
        buffer.writeString(prefix)
        buffer.writeString(#"[],"usage":\#(OpenAIWireFormat.usageObject(prompt: prompt, completion: completion))}"#)
        buffer.writeStaticString("\n\n")
        return buffer
    }

    static func errorEvent(message: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(
            string: "data: \(OpenAIWireFormat.errorObject(message: message, type: "server_error", code: nil))\n\n"
        )
    }

    static func doneEvent(allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(staticString: "data: [DONE]\n\n")
    }

    private func chunk(
        allocator: ByteBufferAllocator,
        extraCapacity: Int = 0,
        body: (inout ByteBuffer) -> Void
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: prefix.utf8.count + suffix.utf8.count + 112 + extraCapacity)
        buffer.writeString(prefix)
        body(&buffer)
        buffer.writeString(suffix)
        return buffer
    }
}
