import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes the NDJSON body of Ollama's native `/api/chat` into ``ProviderEvent``s.
///
/// Each line is a complete record: text and thinking arrive as pieces, tool calls arrive whole,
/// and the last record has `done: true` with the finish reason and token counts. A body that
/// ends without that record was cut short.
public struct OllamaStreamDecoder: ProviderStreamDecoder {
    let provider: String
    private var splitter = NDJSONSplitter()
    private var lines: [[UInt8]] = []
    private var sawDone = false
    private var sawModel = false
    /// Tool calls seen so far; numbers the ids of calls Ollama sent without one.
    private var toolCallCount = 0
    private let decoder = JSONDecoder()
    /// Whether common records are read by ``OllamaFastLine`` before `JSONDecoder` is tried.
    private let fastPath: Bool

    /// - Parameter provider: the configured provider name, used in error messages.
    public init(provider: String) {
        self.init(provider: provider, fastPath: true)
    }

    /// - Parameter fastPath: `false` decodes every record with `JSONDecoder`, which the fast path
    ///   must agree with: for differential tests and fuzzing only.
    @_spi(FastPath) public init(provider: String, fastPath: Bool) {
        self.provider = provider
        self.fastPath = fastPath
    }

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        do {
            try splitter.feed(bytes, into: &lines)
        } catch {
            throw badResponse("a line exceeded \(error.maxLineBytes) bytes")
        }
        defer { lines.removeAll(keepingCapacity: true) }
        for line in lines {
            try decodeEvent(line, into: &output)
        }
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        // A server may leave out the last line end; a remainder that is not JSON was cut off in
        // the middle, which the missing `done` record below reports.
        if let remainder = splitter.takeRemainder(),
            let record = try? decoder.decode(OllamaChatLine.self, from: Data(remainder))
        {
            try handle(record, into: &output)
        }
        guard sawDone else {
            throw RPCError(
                .upstreamError,
                "\(provider): the stream ended before the provider's final record (done: true)",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider)
            )
        }
    }

    /// Decodes one line's record: a piece of text on the fast path, any other with `JSONDecoder`.
    @_spi(FastPath) public mutating func decodeEvent(
        _ line: [UInt8],
        into output: inout [ProviderEvent]
    ) throws(RPCError) {
        if sawDone { return }  // Nothing after the final record is part of the answer.
        if fastPath, let record = OllamaFastLine.scan(line, wantsModel: !sawModel) {
            try handle(record, into: &output)
            return
        }
        let record: OllamaChatLine
        do { record = try decoder.decode(OllamaChatLine.self, from: Data(line)) } catch {
            throw badResponse("a line was not a valid JSON record")
        }
        try handle(record, into: &output)
    }

    private mutating func handle(_ record: OllamaChatLine, into output: inout [ProviderEvent]) throws(RPCError) {
        if sawDone { return }
        if let message = record.errorMessage {
            let text = Redaction.scrub(String(message.prefix(500)))
            throw RPCError(
                .upstreamError,
                "\(provider): provider reported an error mid-stream: \(text)",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider)
            )
        }
        if !sawModel, let model = record.model, !model.isEmpty {
            sawModel = true
            output.append(.model(model))
        }
        if let message = record.message {
            if let thinking = message.thinking, !thinking.isEmpty { output.append(.reasoning(thinking)) }
            if let content = message.content, !content.isEmpty { output.append(.text(content)) }
            for call in message.tool_calls ?? [] {
                output.append(.toolCall(try toolCall(call)))
            }
        }
        guard record.done == true else { return }
        sawDone = true
        output.append(.finish(finishReason(record.done_reason)))
        if record.prompt_eval_count != nil || record.eval_count != nil {
            output.append(
                .usage(
                    Usage(
                        inputTokens: record.prompt_eval_count?.value ?? 0,
                        outputTokens: record.eval_count?.value ?? 0
                    )
                )
            )
        }
    }

    private mutating func toolCall(_ call: OllamaChatLine.ToolCall) throws(RPCError) -> ToolCall {
        defer { toolCallCount += 1 }
        guard let name = call.function?.name, !name.isEmpty else {
            throw badResponse("a tool call had no function name")
        }
        let arguments: JSONValue
        switch call.function?.arguments {
        case nil, .null?: arguments = .object([:])
        case .object(let object)?: arguments = .object(object)
        // Ollama sends an object; a proxy in front of it may pass on OpenAI's string form instead.
        case .string(let text)?:
            guard let parsed = try? decoder.decode(JSONValue.self, from: Data(text.utf8)), parsed.objectValue != nil
            else {
                throw badResponse("tool call \(name.prefix(64)) has arguments that are not a JSON object")
            }
            arguments = parsed
        default: throw badResponse("tool call \(name.prefix(64)) has arguments that are not a JSON object")
        }
        let id = call.id.flatMap { $0.isEmpty ? nil : $0 } ?? "call_\(toolCallCount)"
        return ToolCall(id: id, name: name, arguments: arguments)
    }

    /// Ollama says `stop` after tool calls too; the gateway reports those as `toolCalls`.
    private func finishReason(_ raw: String?) -> FinishReason {
        switch raw {
        case "length"?: .length
        // `load` and `unload` end requests that only loaded or unloaded the model.
        default: toolCallCount > 0 ? .toolCalls : .stop
        }
    }

    private func badResponse(_ what: String) -> RPCError {
        RPCError(
            .upstreamBadResponse,
            "\(provider): malformed stream: \(what)",
            data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
        )
    }
}
