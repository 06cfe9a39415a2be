import NeuroLinkHTTP
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// OpenAI Chat Completions, streamed. Serves OpenAI itself and every server that speaks its
/// format (llama.cpp, vLLM, Ollama's `/v1`, LM Studio, ...).
public struct OpenAIAdapter: ProviderAdapter {
    public let endpoint: ProviderEndpoint

    public init(endpoint: ProviderEndpoint) {
        self.endpoint = endpoint
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        let call = ProviderCall.post(
            "/chat/completions",
            body: OpenAIRequestBody(request, useMaxCompletionTokens: endpoint.type == .openai),
            accept: "text/event-stream",
            provider: endpoint.name
        )
        return callRequest(call, timeouts: timeouts)
    }

    /// `call` below the base URL, with the key as a bearer token (none for keyless local servers).
    public func callRequest(_ call: ProviderCall, timeouts: TransferTimeouts) -> HTTPRequest {
        var headers = call.baseHeaders
        if let key = endpoint.apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(key.value)")) }
        return HTTPRequest(
            call,
            url: call.url(root: endpoint.baseURL),
            headers: headers + endpoint.headers,
            timeouts: timeouts
        )
    }

    public func makeDecoder() -> any ProviderStreamDecoder {
        OpenAIStreamDecoder(provider: endpoint.name)
    }

    public func error(status: Int, headers: [HTTPHeader], body: [UInt8]) -> RPCError {
        HTTPErrorMapping.standardError(provider: endpoint.name, status: status, headers: headers, body: body)
    }
}

/// Decodes `chat.completion.chunk` events from an SSE body.
public struct OpenAIStreamDecoder: ProviderStreamDecoder {
    let provider: String
    private var parser = SSEParser()
    private var events: [SSEEvent] = []
    private var sawDone = false
    private var sawFinish = false
    private var sawModel = false
    private let decoder = JSONDecoder()
    /// Tool calls being assembled: fragments of their JSON arguments arrive in pieces.
    private var pendingCalls = OpenAIToolCallAssembler()
    /// Whether common chunks are read by ``OpenAIFastChunk`` before `JSONDecoder` is tried.
    private let fastPath: Bool
    /// The last chunk the fast path read that carried only a text, and whether it was reasoning.
    private var template = EventTemplate()
    private var templateIsReasoning = false

    public init(provider: String) {
        self.init(provider: provider, fastPath: true)
    }

    /// - Parameter fastPath: `false` decodes every chunk with `JSONDecoder`, which the fast path
    ///   must agree with: for differential tests and fuzzing only.
    @_spi(FastPath) public init(provider: String, fastPath: Bool) {
        self.provider = provider
        self.fastPath = fastPath
    }

    struct Chunk: Decodable {
        var model: String?
        var choices: [Choice]?
        var usage: WireUsage?
        var error: WireError?

        struct Choice: Decodable {
            var delta: Delta?
            var finish_reason: String?
        }

        struct Delta: Decodable {
            var content: String?
            var tool_calls: [ToolCallDelta]?
            /// DeepSeek, vLLM and llama.cpp call it `reasoning_content`; OpenRouter and Ollama `reasoning`.
            var reasoning_content: String?
            var reasoning: String?
        }

        struct ToolCallDelta: Decodable {
            var index: Int?
            var id: String?
            var function: Function?
            struct Function: Decodable {
                var name: String?
                var arguments: String?
            }
        }

        struct WireUsage: Decodable {
            // Counts are clamped to 0...Int.max whatever number the server sends (see TokenCount).
            var prompt_tokens: TokenCount?
            var completion_tokens: TokenCount?
            var total_tokens: TokenCount?
            var prompt_tokens_details: Details?
            var completion_tokens_details: Details?
            struct Details: Decodable {
                var cached_tokens: TokenCount?
                var reasoning_tokens: TokenCount?
            }
        }

        struct WireError: Decodable {
            var message: String?
            var type: String?
            var code: String?

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                message = try? c.decodeIfPresent(String.self, forKey: .message)
                type = try? c.decodeIfPresent(String.self, forKey: .type)
                code = (try? c.decodeIfPresent(String.self, forKey: .code)) ?? nil
            }

            enum CodingKeys: String, CodingKey { case message, type, code }
        }
    }

    private static let doneMarker = Array("[DONE]".utf8)

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        do {
            try parser.feed(bytes, into: &events)
        } catch {
            throw badResponse("an SSE line or event exceeded \(parser.maxLineBytes) bytes")
        }
        defer { events.removeAll(keepingCapacity: true) }
        for event in events {
            if sawDone { continue }  // Anything after [DONE] is not part of the answer.
            if event.data == Self.doneMarker {
                sawDone = true
                continue
            }
            try decodeEvent(event.data, into: &output)
        }
    }

    /// Decodes one event's JSON (not `[DONE]`): a common chunk on the fast path, any other with
    /// `JSONDecoder`.
    @_spi(FastPath) public mutating func decodeEvent(
        _ data: [UInt8],
        into output: inout [ProviderEvent]
    ) throws(RPCError) {
        if fastPath, let text = template.string(in: data) {
            // Its model, if any, was the template's and has been reported with it.
            emit(
                model: nil,
                reasoning: templateIsReasoning ? text : nil,
                content: templateIsReasoning ? nil : text,
                into: &output
            )
            return
        }
        if fastPath, let chunk = OpenAIFastChunk.scan(data, wantsModel: !sawModel) {
            emit(model: chunk.model, reasoning: chunk.reasoning, content: chunk.content, into: &output)
            if let reason = chunk.finishReason { try finishChoice(reason, into: &output) }
            if let usage = chunk.usage { output.append(.usage(Self.usage(usage))) }
            if let text = chunk.soleText {
                template.keep(data, stringAt: text.quoted)
                templateIsReasoning = text.isReasoning
            }
            return
        }
        let chunk: Chunk
        do { chunk = try decoder.decode(Chunk.self, from: Data(data)) } catch {
            throw badResponse("an event was not valid JSON")
        }
        if let error = chunk.error { throw inStreamError(error) }
        let choice = chunk.choices?.first
        emit(
            model: chunk.model,
            reasoning: choice?.delta?.reasoning_content ?? choice?.delta?.reasoning,
            content: choice?.delta?.content,
            into: &output
        )
        if let choice {
            for delta in choice.delta?.tool_calls ?? [] {
                let added = pendingCalls.add(
                    index: delta.index ?? 0,
                    id: delta.id,
                    name: delta.function?.name,
                    arguments: delta.function?.arguments
                )
                guard added else {
                    throw badResponse("more than \(OpenAIToolCallAssembler.maxCalls) tool calls in one answer")
                }
            }
            if let reason = choice.finish_reason { try finishChoice(reason, into: &output) }
        }
        if let usage = chunk.usage { output.append(.usage(Self.usage(usage))) }
    }

    /// The choice's finish: the tool calls assembled so far, then the reason.
    private mutating func finishChoice(_ reason: String, into output: inout [ProviderEvent]) throws(RPCError) {
        sawFinish = true
        try flushToolCalls(into: &output)
        output.append(.finish(Self.finishReason(reason)))
    }

    private static func usage(_ usage: Chunk.WireUsage) -> Usage {
        Usage(
            inputTokens: usage.prompt_tokens?.value ?? 0,
            outputTokens: usage.completion_tokens?.value ?? 0,
            totalTokens: usage.total_tokens?.value,
            cachedInputTokens: usage.prompt_tokens_details?.cached_tokens?.value,
            reasoningTokens: usage.completion_tokens_details?.reasoning_tokens?.value
        )
    }

    /// The model (once per stream), then the reasoning and the text of a chunk, both paths alike.
    private mutating func emit(model: String?, reasoning: String?, content: String?, into output: inout [ProviderEvent])
    {
        if !sawModel, let model, !model.isEmpty {
            sawModel = true
            output.append(.model(model))
        }
        if let reasoning, !reasoning.isEmpty { output.append(.reasoning(reasoning)) }
        if let content, !content.isEmpty { output.append(.text(content)) }
    }

    /// Emits the assembled tool calls, in index order, with their arguments parsed.
    private mutating func flushToolCalls(into output: inout [ProviderEvent]) throws(RPCError) {
        for call in pendingCalls.takeAll() {
            let text = call.arguments.isEmpty ? "{}" : call.arguments
            guard let arguments = try? decoder.decode(JSONValue.self, from: Data(text.utf8)),
                arguments.objectValue != nil
            else {
                throw badResponse("tool call \(call.name) has arguments that are not a JSON object")
            }
            output.append(.toolCall(ToolCall(id: call.id, name: call.name, arguments: arguments)))
        }
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        if !pendingCalls.isEmpty { try flushToolCalls(into: &output) }
        guard sawDone || sawFinish else {
            throw RPCError(
                .upstreamError,
                "\(provider): the stream ended before the provider's terminal event ([DONE])",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider)
            )
        }
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "stop", "end_turn", "stop_sequence": .stop
        case "length", "max_tokens": .length
        case "tool_calls", "function_call": .toolCalls
        case "content_filter": .contentFilter
        default: FinishReason(rawValue: raw)
        }
    }

    private func badResponse(_ what: String) -> RPCError {
        RPCError(
            .upstreamBadResponse,
            "\(provider): malformed stream: \(what)",
            data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
        )
    }

    private func inStreamError(_ error: Chunk.WireError) -> RPCError {
        let message = Redaction.scrub(String((error.message ?? "unknown error").prefix(500)))
        return RPCError(
            .upstreamError,
            "\(provider): provider reported an error mid-stream: \(message)",
            data: ErrorData(type: .upstreamError, retryable: true, provider: provider)
        )
    }
}
