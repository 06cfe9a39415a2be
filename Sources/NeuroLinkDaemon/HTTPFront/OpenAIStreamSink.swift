import NIOCore
import NIOHTTP1
import NeuroLinkCore
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A streamed chat completion as OpenAI's Server-Sent Events: the head and a role delta before
/// the first piece, a `chat.completion.chunk` per text piece and tool call, the finish reason, the
/// usage chunk when asked for, then `data: [DONE]`. Writing waits while the client is not
/// reading, which pauses the upstream transfer, as on the socket. An error before anything was
/// sent is a plain HTTP error; after, it is a `data: {"error": ...}` event that ends the stream.
struct OpenAIStreamSink: ChunkSink {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    let version: HTTPVersion
    /// `data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,` — the same in every
    /// event, made once.
    let eventHead: String
    let includeUsage: Bool
    let headers: [(String, String)]
    /// Where the answer is going, for `x-neurolink-provider` and `-model` on the head.
    let progress: RequestProgress?
    private var headSent = false
    private var toolCalls = 0
    private(set) var bytesSent = 0

    init(
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        version: HTTPVersion,
        id: String,
        model: String,
        includeUsage: Bool,
        headers: [(String, String)],
        progress: RequestProgress? = nil
    ) {
        self.progress = progress
        self.outbound = outbound
        self.version = version
        self.includeUsage = includeUsage
        self.headers = headers
        let created = Int(Date().timeIntervalSince1970)
        eventHead =
            "data: {\"id\":\(JSONText.quoted(id)),\"object\":\"chat.completion.chunk\",\"created\":\(created),"
            + "\"model\":\(JSONText.quoted(model)),"
    }

    nonisolated(nonsending) mutating func send(_ chunks: [OutgoingChunk]) async throws {
        var buffer = ByteBuffer()
        if !headSent {
            try await writeHead()
            event(into: &buffer, delta: #"{"role":"assistant","content":""}"#)
        }
        for chunk in chunks {
            switch chunk {
            case .text(let text): piece(into: &buffer, "content", text)
            case .reasoning(let text): piece(into: &buffer, "reasoning_content", text)
            case .toolCall(let call):
                let delta = OpenAIResponses.toolCall(call, index: toolCalls)
                toolCalls += 1
                event(into: &buffer, delta: "{\"tool_calls\":[\(Self.json(delta))]}")
            case .finish(let reason, let usage):
                event(into: &buffer, delta: "{}", finish: OpenAIResponses.finishReason(reason))
                if includeUsage, let usage {
                    buffer.writeString(eventHead)
                    buffer.writeString("\"choices\":[],\"usage\":\(Self.json(OpenAIResponses.usage(usage)))}\n\n")
                }
            case .object, .notice, .analytics, .evaluation, .toolResult:
                continue
            }
        }
        guard buffer.readableBytes > 0 else { return }
        bytesSent += buffer.readableBytes
        try await outbound.write(.body(.byteBuffer(buffer)))
    }

    mutating func respond(_ result: Result<StreamResult, RPCError>) async {
        switch result {
        case .success:
            var buffer = ByteBuffer(string: "data: [DONE]\n\n")
            if !headSent { try? await writeHead() }
            bytesSent += buffer.readableBytes
            try? await outbound.write(.body(.byteBuffer(buffer)))
            buffer.clear()
        case .failure(let error):
            guard headSent else {
                await HTTPFrontResponse.error(outbound, version: version, error, headers: headers)
                return
            }
            let text = "data: \(Self.json(OpenAIResponses.error(error).body))\n\n"
            bytesSent += text.utf8.count
            try? await outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
        }
        try? await outbound.write(.end(nil))
    }

    private mutating func writeHead() async throws {
        headSent = true
        var head = HTTPHeaders([
            ("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no"),
        ])
        for (name, value) in headers { head.add(name: name, value: value) }
        // The head goes out with the first piece: by then the attempt that answers has begun.
        let route = progress?.snapshot
        if let provider = route?.provider { head.add(name: "x-neurolink-provider", value: provider) }
        if let model = route?.model { head.add(name: "x-neurolink-model", value: model) }
        try await outbound.write(.head(HTTPResponseHead(version: version, status: .ok, headers: head)))
    }

    /// A text delta written straight into the batch: the hot path, one per piece of the answer.
    private func piece(into buffer: inout ByteBuffer, _ field: StaticString, _ text: String) {
        buffer.writeString(eventHead)
        buffer.writeStaticString(#""choices":[{"index":0,"delta":{""#)
        buffer.writeStaticString(field)
        buffer.writeStaticString(#"":"#)
        buffer.writeJSONString(text)
        buffer.writeStaticString("},\"finish_reason\":null}]}\n\n")
    }

    private func event(into buffer: inout ByteBuffer, delta: String, finish: String? = nil) {
        buffer.writeString(eventHead)
        buffer.writeString("\"choices\":[{\"index\":0,\"delta\":\(delta),\"finish_reason\":")
        buffer.writeString(finish.map(JSONText.quoted) ?? "null")
        buffer.writeStaticString("}]}\n\n")
    }

    static func json(_ value: JSONValue) -> String {
        String(buffer: OpenAIResponses.data(value))
    }
}

/// Whole HTTP responses of the front.
enum HTTPFrontResponse {
    /// `error` in OpenAI's shape with its HTTP status, and `retry-after`/`retry-after-ms` when it
    /// carries a wait: every refusal of the front goes through here.
    static func error(
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        version: HTTPVersion,
        _ error: RPCError,
        headers: [(String, String)] = []
    ) async {
        let (status, body) = OpenAIResponses.error(error)
        await json(outbound, version: version, status: status, body: body, headers: headers + retryHeaders(error))
    }

    /// `retry-after` (seconds, rounded up) and `retry-after-ms` of a rate-limited request.
    static func retryHeaders(_ error: RPCError) -> [(String, String)] {
        guard let ms = error.data.retryAfterMs, ms >= 0 else { return [] }
        return [("retry-after", "\((ms + 999) / 1000)"), ("retry-after-ms", "\(ms)")]
    }

    static func json(
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        version: HTTPVersion,
        status: HTTPResponseStatus,
        body: JSONValue,
        headers: [(String, String)] = []
    ) async {
        await send(
            outbound,
            version: version,
            status: status,
            contentType: "application/json",
            body: OpenAIResponses.data(body),
            headers: headers
        )
    }

    static func send(
        _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        version: HTTPVersion,
        status: HTTPResponseStatus,
        contentType: String,
        body: ByteBuffer,
        headers extra: [(String, String)] = []
    ) async {
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.readableBytes)")])
        for (name, value) in extra { headers.add(name: name, value: value) }
        // One write of the three parts: one flush, so head and body leave in one system call.
        let head = HTTPResponseHead(version: version, status: status, headers: headers)
        try? await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(body)), .end(nil)])
    }
}
