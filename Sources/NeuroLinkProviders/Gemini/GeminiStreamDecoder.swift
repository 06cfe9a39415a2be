import NeuroLinkBasics
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes Gemini's `streamGenerateContent?alt=sse` body into ``ProviderEvent``s.
///
/// Every event is a whole `GenerateContentResponse`. There is no `[DONE]`: the answer is complete
/// once a candidate has carried a `finishReason` (or the prompt was blocked) and the body ends.
/// Usage is reported on several events, growing; only the last report is emitted, at the end.
public struct GeminiStreamDecoder: ProviderStreamDecoder {
    let provider: String
    private var parser = SSEParser()
    private var events: [SSEEvent] = []
    private var finishReason: FinishReason?
    private var sawModel = false
    /// Function calls seen so far; numbers the ids Gemini does not send.
    private var toolCallCount = 0
    private var usage: Usage?
    private let decoder = JSONDecoder()
    /// Whether common responses are read by ``GeminiFastResponse`` before `JSONDecoder` is tried.
    private let fastPath: Bool

    /// - Parameter provider: the configured provider name, used in error messages.
    public init(provider: String) {
        self.init(provider: provider, fastPath: true)
    }

    /// - Parameter fastPath: `false` decodes every response with `JSONDecoder`, which the fast
    ///   path must agree with: for differential tests and fuzzing only.
    @_spi(FastPath) public init(provider: String, fastPath: Bool) {
        self.provider = provider
        self.fastPath = fastPath
    }

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        do {
            try parser.feed(bytes, into: &events)
        } catch {
            throw badResponse("an SSE line or event exceeded \(parser.maxLineBytes) bytes")
        }
        defer { events.removeAll(keepingCapacity: true) }
        for event in events {
            try decodeEvent(event.data, into: &output)
        }
    }

    /// Decodes one event's JSON: a response with text on the fast path, any other with
    /// `JSONDecoder`.
    @_spi(FastPath) public mutating func decodeEvent(
        _ data: [UInt8],
        into output: inout [ProviderEvent]
    ) throws(RPCError) {
        let start = output.count
        if fastPath, let response = GeminiFastResponse.scan(data, wantsModel: !sawModel, into: &output) {
            // The model comes first, as in `handle`; the parts' events are already written.
            if !sawModel, let model = response.modelVersion, !model.isEmpty {
                sawModel = true
                output.insert(.model(model), at: start)
            }
            if let metadata = response.usageMetadata { usage = Self.usage(metadata) }
            return
        }
        let response: GeminiResponse
        do { response = try decoder.decode(GeminiResponse.self, from: Data(data)) } catch {
            throw badResponse("an event was not a valid GenerateContentResponse")
        }
        try handle(response, into: &output)
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        guard finishReason != nil else {
            throw RPCError(
                .upstreamError,
                "\(provider): the stream ended before the provider's finish reason",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider, usage: usage)
            )
        }
        if let usage { output.append(.usage(usage)) }
        usage = nil
    }

    private mutating func handle(_ response: GeminiResponse, into output: inout [ProviderEvent]) throws(RPCError) {
        if let error = response.error {
            let message = Redaction.scrub(String((error.message ?? error.status ?? "unknown error").prefix(500)))
            throw RPCError(
                .upstreamError,
                "\(provider): provider reported an error mid-stream: \(message)",
                data: ErrorData(type: .upstreamError, retryable: true, provider: provider)
            )
        }
        if !sawModel, let model = response.modelVersion, !model.isEmpty {
            sawModel = true
            output.append(.model(model))
        }
        if let metadata = response.usageMetadata { usage = Self.usage(metadata) }
        guard let candidate = response.candidates?.first else {
            if response.promptFeedback?.blockReason != nil { recordFinish(.contentFilter, into: &output) }
            return
        }
        for part in candidate.content?.parts ?? [] {
            if let event = Self.partEvent(text: part.text, thought: part.thought) { output.append(event) }
            if let call = part.functionCall { output.append(.toolCall(try toolCall(call))) }
        }
        if let raw = candidate.finishReason { recordFinish(mapFinishReason(raw), into: &output) }
    }

    /// What a part's text is reported as, on both paths: thought text is reasoning.
    static func partEvent(text: String?, thought: Bool?) -> ProviderEvent? {
        guard let text, !text.isEmpty else { return nil }
        return thought == true ? .reasoning(text) : .text(text)
    }

    /// Reports the first finish reason only; a later event may repeat it next to more usage.
    private mutating func recordFinish(_ reason: FinishReason, into output: inout [ProviderEvent]) {
        guard finishReason == nil else { return }
        finishReason = reason
        output.append(.finish(reason))
    }

    private mutating func toolCall(_ call: GeminiResponse.FunctionCall) throws(RPCError) -> ToolCall {
        defer { toolCallCount += 1 }
        guard let name = call.name, !name.isEmpty else { throw badResponse("a function call had no name") }
        let arguments: JSONValue
        switch call.args {
        case nil, .null?: arguments = .object([:])
        case .object(let object)?: arguments = .object(object)
        default: throw badResponse("function call \(name.prefix(64)) has arguments that are not a JSON object")
        }
        // Gemini's calls usually have no id, yet tool results must name one: number them in order,
        // which is stable however the body is split.
        let id = call.id.flatMap { $0.isEmpty ? nil : $0 } ?? "call_\(toolCallCount)"
        return ToolCall(id: id, name: name, arguments: arguments)
    }

    /// Gemini finishes with `STOP` after function calls too; the gateway reports those as `toolCalls`.
    private func mapFinishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "STOP": toolCallCount > 0 ? .toolCalls : .stop
        case "MAX_TOKENS": .length
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII": .contentFilter
        default: .stop
        }
    }

    /// Thought tokens are billed as output but counted apart from `candidatesTokenCount`; they
    /// are added to the output, so that, as with other providers, reasoning is part of it.
    private static func usage(_ metadata: GeminiResponse.UsageMetadata) -> Usage {
        let candidates = metadata.candidatesTokenCount?.value ?? 0
        let thoughts = metadata.thoughtsTokenCount?.value ?? 0
        return Usage(
            inputTokens: metadata.promptTokenCount?.value ?? 0,
            outputTokens: candidates.addingCount(thoughts),
            totalTokens: metadata.totalTokenCount?.value,
            cachedInputTokens: metadata.cachedContentTokenCount?.value,
            reasoningTokens: metadata.thoughtsTokenCount?.value
        )
    }

    private func badResponse(_ what: String) -> RPCError {
        RPCError(
            .upstreamBadResponse,
            "\(provider): malformed stream: \(what)",
            data: ErrorData(type: .upstreamBadResponse, retryable: true, provider: provider)
        )
    }
}
