import NeuroLinkBasics
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes a ConverseStream response (`application/vnd.amazon.eventstream`) into ``ProviderEvent``s.
///
/// Emission order: `.text`/`.reasoning` as deltas arrive; `.toolCall` when its block stops; then,
/// when `metadata` arrives after `messageStop`, `.finish` followed by `.usage`. Holding the finish
/// back until `metadata` keeps usage attached to the finish, as with every other provider.
///
/// Ending: the body must contain `messageStop`, else ``finish(into:)`` throws a retryable
/// `upstream_error`. When `messageStop` came but `metadata` did not, the answer itself is
/// complete, so it still succeeds, only without usage. Exception messages throw at once.
public struct BedrockStreamDecoder: ProviderStreamDecoder {
    private let provider: String
    private var framing: EventStreamDecoder
    private var toolBlocks: [Int: ToolBlock] = [:]
    private var stopReason: String?
    private var usage: Usage?
    /// `metadata` after `messageStop` arrived; anything later is not part of the answer.
    private var isComplete = false
    private let decoder = JSONDecoder()

    private struct ToolBlock {
        var id: String
        var name: String
        var input = ""
    }

    /// - Parameters:
    ///   - provider: the configured provider name, which prefixes every error message.
    ///   - maxMessageBytes: the largest event-stream message accepted.
    public init(provider: String, maxMessageBytes: Int = EventStreamDecoder.defaultMaxMessageBytes) {
        self.provider = provider
        framing = EventStreamDecoder(maxMessageBytes: maxMessageBytes)
    }

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        guard !isComplete else { return }
        let messages: [EventStreamMessage]
        do { messages = try framing.feed(bytes) } catch {
            throw BedrockErrors.badResponse(provider: provider, Self.describe(error))
        }
        for message in messages where !isComplete {
            try apply(message, into: &output)
        }
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        if isComplete { return }
        guard let stopReason else { throw BedrockErrors.truncated(provider: provider, usage: usage) }
        isComplete = true
        output.append(.finish(Self.finishReason(stopReason)))
    }

    private mutating func apply(_ message: EventStreamMessage, into output: inout [ProviderEvent]) throws(RPCError) {
        let payload = try? decoder.decode(BedrockStreamEvent.self, from: Data(message.payload))
        switch message.string(":message-type") {
        case "event":
            break
        case "exception":
            throw BedrockErrors.inStream(
                provider: provider,
                name: message.string(":exception-type"),
                message: payload?.message,
                usage: usage
            )
        case "error":
            // Service-level errors use their own headers instead of a payload.
            throw BedrockErrors.inStream(
                provider: provider,
                name: message.string(":error-code"),
                message: message.string(":error-message"),
                usage: usage
            )
        default:
            throw BedrockErrors.badResponse(provider: provider, "a message has no known :message-type")
        }
        guard let event = payload else {
            throw BedrockErrors.badResponse(
                provider: provider,
                "an event payload was not valid JSON of the expected shape"
            )
        }
        switch message.string(":event-type") {
        case "contentBlockStart":
            if let index = event.contentBlockIndex, let tool = event.start?.toolUse {
                toolBlocks[index] = ToolBlock(id: tool.toolUseId, name: tool.name)
            }
        case "contentBlockDelta":
            guard let delta = event.delta else { return }
            if let text = delta.text, !text.isEmpty { output.append(.text(text)) }
            if let reasoning = delta.reasoningContent?.text, !reasoning.isEmpty { output.append(.reasoning(reasoning)) }
            if let fragment = delta.toolUse?.input, let index = event.contentBlockIndex {
                guard toolBlocks[index] != nil else {
                    throw BedrockErrors.badResponse(
                        provider: provider,
                        "tool input arrived for a block that never started"
                    )
                }
                toolBlocks[index]?.input += fragment
            }
        case "contentBlockStop":
            if let index = event.contentBlockIndex, let block = toolBlocks.removeValue(forKey: index) {
                output.append(.toolCall(try toolCall(block)))
            }
        case "messageStop":
            // A tool block the stream never closed still belongs to the answer.
            for index in toolBlocks.keys.sorted() {
                if let block = toolBlocks[index] { output.append(.toolCall(try toolCall(block))) }
            }
            toolBlocks = [:]
            stopReason = event.stopReason ?? "end_turn"
        case "metadata":
            if let wire = event.usage { usage = Self.usage(wire) }
            // Metadata before messageStop would be odd; only the pair ends the answer.
            guard let stopReason else { return }
            isComplete = true
            output.append(.finish(Self.finishReason(stopReason)))
            if let usage { output.append(.usage(usage)) }
        default:
            // `messageStart` carries only the role; unknown event types must be ignored.
            break
        }
    }

    private func toolCall(_ block: ToolBlock) throws(RPCError) -> ToolCall {
        let arguments: JSONValue
        if block.input.isEmpty {
            arguments = .object([:])
        } else {
            guard let parsed = try? decoder.decode(JSONValue.self, from: Data(block.input.utf8)) else {
                throw BedrockErrors.badResponse(
                    provider: provider,
                    "the input of tool call \(block.name.prefix(64)) is not valid JSON"
                )
            }
            arguments = parsed
        }
        guard arguments.objectValue != nil else {
            throw BedrockErrors.badResponse(
                provider: provider,
                "the input of tool call \(block.name.prefix(64)) is not a JSON object"
            )
        }
        return ToolCall(id: block.id, name: block.name, arguments: arguments)
    }

    /// Normalised usage: like Anthropic's, Bedrock's `inputTokens` leaves out prompt-cache reads and
    /// writes, which are added here so that ``Usage/cachedInputTokens`` is a part of the input.
    static func usage(_ wire: BedrockStreamEvent.WireUsage) -> Usage {
        let parts = [wire.inputTokens, wire.cacheReadInputTokens, wire.cacheWriteInputTokens]
        return Usage(
            inputTokens: parts.reduce(0) { $0.addingCount($1?.value ?? 0) },
            outputTokens: wire.outputTokens?.value ?? 0,
            totalTokens: wire.totalTokens?.value,
            cachedInputTokens: wire.cacheReadInputTokens?.value
        )
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "end_turn", "stop_sequence": .stop
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "content_filtered", "guardrail_intervened": .contentFilter
        default: FinishReason(rawValue: raw)
        }
    }

    private static func describe(_ error: EventStreamError) -> String {
        switch error {
        case .preludeChecksumMismatch: "event-stream prelude checksum mismatch"
        case .messageChecksumMismatch: "event-stream message checksum mismatch"
        case .messageTooLarge(let declared, let limit):
            "an event-stream message declares \(declared) bytes (limit \(limit))"
        case .malformed(let what): "event-stream framing: \(what)"
        }
    }
}
