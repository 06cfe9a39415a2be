import Foundation
import NeuroLinkHTTP
import NeuroLinkProtocol

/// OpenAI Chat Completions, streamed. Serves OpenAI itself and every server that speaks its
/// format (llama.cpp, vLLM, Ollama's `/v1`, LM Studio, ...).
public struct OpenAIAdapter: ProviderAdapter {
    public let endpoint: ProviderEndpoint

    public init(endpoint: ProviderEndpoint) {
        self.endpoint = endpoint
    }

    struct Body: Encodable {
        var model: String
        var messages: [ChatMessage]
        var stream: Bool
        var stream_options: StreamOptions?
        var max_tokens: Int?
        var max_completion_tokens: Int?
        var temperature: Double?

        struct StreamOptions: Encodable { var include_usage: Bool }
    }

    public func httpRequest(for request: ChatRequest, timeouts: TransferTimeouts) throws(RPCError) -> HTTPRequest {
        var body = Body(model: request.model, messages: request.messages, stream: request.stream,
                        stream_options: request.stream ? .init(include_usage: true) : nil, temperature: request.temperature)
        // OpenAI's newer models only take `max_completion_tokens`; compatible servers know `max_tokens`.
        if endpoint.type == .openai { body.max_completion_tokens = request.maxTokens } else { body.max_tokens = request.maxTokens }
        let encoded: Data
        do { encoded = try JSONEncoder().encode(body) } catch {
            throw RPCError(.internal, "could not encode the request for \(endpoint.name)")
        }
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "text/event-stream")]
        if let key = endpoint.apiKey { headers.append(HTTPHeader("Authorization", "Bearer \(key.value)")) }
        headers += endpoint.headers
        return HTTPRequest(method: "POST", url: endpoint.baseURL + "/chat/completions", headers: headers,
                           body: Array(encoded), timeouts: timeouts)
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

    public init(provider: String) {
        self.provider = provider
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
            /// DeepSeek, vLLM and llama.cpp call it `reasoning_content`; OpenRouter and Ollama `reasoning`.
            var reasoning_content: String?
            var reasoning: String?
        }

        struct WireUsage: Decodable {
            var prompt_tokens: Int?
            var completion_tokens: Int?
            var total_tokens: Int?
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

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        do {
            try parser.feed(bytes, into: &events)
        } catch {
            throw badResponse("an SSE line exceeded \(parser.maxLineBytes) bytes")
        }
        defer { events.removeAll(keepingCapacity: true) }
        for event in events {
            if sawDone { continue }  // Anything after [DONE] is not part of the answer.
            if event.data.elementsEqual("[DONE]".utf8) {
                sawDone = true
                continue
            }
            let chunk: Chunk
            do { chunk = try decoder.decode(Chunk.self, from: Data(event.data)) } catch {
                throw badResponse("an event was not valid JSON")
            }
            if let error = chunk.error { throw inStreamError(error) }
            if !sawModel, let model = chunk.model, !model.isEmpty {
                sawModel = true
                output.append(.model(model))
            }
            if let choice = chunk.choices?.first {
                if let reasoning = choice.delta?.reasoning_content ?? choice.delta?.reasoning, !reasoning.isEmpty {
                    output.append(.reasoning(reasoning))
                }
                if let content = choice.delta?.content, !content.isEmpty { output.append(.text(content)) }
                if let reason = choice.finish_reason {
                    sawFinish = true
                    output.append(.finish(Self.finishReason(reason)))
                }
            }
            if let usage = chunk.usage {
                let input = usage.prompt_tokens ?? 0
                let outputTokens = usage.completion_tokens ?? 0
                let (sum, overflow) = input.addingReportingOverflow(outputTokens)
                output.append(.usage(Usage(inputTokens: input, outputTokens: outputTokens,
                                           totalTokens: usage.total_tokens ?? (overflow ? Int.max : sum))))
            }
        }
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        guard sawDone || sawFinish else {
            throw RPCError(.upstreamError, "\(provider): the stream ended before the provider's terminal event ([DONE])",
                           data: ErrorData(type: .upstreamError, retryable: true, provider: provider))
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
        RPCError(.upstreamBadResponse, "\(provider): malformed stream: \(what)",
                 data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider))
    }

    private func inStreamError(_ error: Chunk.WireError) -> RPCError {
        let message = Redaction.scrub(String((error.message ?? "unknown error").prefix(500)))
        return RPCError(.upstreamError, "\(provider): provider reported an error mid-stream: \(message)",
                        data: ErrorData(type: .upstreamError, retryable: true, provider: provider))
    }
}
