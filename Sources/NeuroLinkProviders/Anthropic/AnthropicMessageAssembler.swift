import NeuroLinkBasics
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns decoded Messages API events into ``ProviderEvent``s, independent of how the events were
/// framed (SSE here; Bedrock wraps the same events in its own framing).
///
/// Emission order is fixed: `.model` at `message_start`; `.text` and `.reasoning` as their deltas
/// arrive; `.toolCall` when its block stops; then, at `message_stop` and only there, `.finish`
/// (when a stop reason was reported) followed by one `.usage` (when any counts were). `message_delta` only
/// records the stop reason and counts, because its `usage` is cumulative and a message could in
/// principle carry several; waiting for the terminal event reports each figure once, final.
struct AnthropicMessageAssembler {
    let provider: String
    /// `message_stop` arrived; later events are not part of the answer.
    private(set) var isComplete = false
    private var blocks: [Int: OpenBlock] = [:]
    /// The `partial_json` fragments of open tool-use blocks, by block index. Kept apart from
    /// `blocks` so each fragment is appended in place: O(n) for `n` bytes in any number of pieces.
    private var toolInputs: [Int: String] = [:]
    private var stopReason: String?
    private var counts = Counts()
    private let decoder = JSONDecoder()

    private enum OpenBlock {
        /// `startInput` is the `input` of the start event; the streamed pieces are in `toolInputs`.
        case toolUse(id: String, name: String, startInput: JSONValue?)
        /// Text, thinking and every other kind: their deltas need no assembly.
        case streamed
    }

    private struct Counts {
        var reported = false
        var input: Int?
        var output: Int?
        var cacheCreation: Int?
        var cacheRead: Int?

        mutating func merge(_ usage: AnthropicStreamEvent.WireUsage?) {
            guard let usage else { return }
            reported = true
            // Later reports are cumulative, so a present field replaces the earlier value.
            input = usage.input_tokens?.value ?? input
            output = usage.output_tokens?.value ?? output
            cacheCreation = usage.cache_creation_input_tokens?.value ?? cacheCreation
            cacheRead = usage.cache_read_input_tokens?.value ?? cacheRead
        }
    }

    init(provider: String) {
        self.provider = provider
    }

    /// Usage reported so far, normalised.
    ///
    /// Anthropic's `input_tokens` excludes prompt-cache reads and writes; here input counts all
    /// three, so that, as with every other provider, ``Usage/cachedInputTokens`` is a part of
    /// ``Usage/inputTokens``.
    var usage: Usage? {
        guard counts.reported else { return nil }
        let input = [counts.input, counts.cacheCreation, counts.cacheRead].reduce(0) { $0.addingCount($1 ?? 0) }
        return Usage(inputTokens: input, outputTokens: counts.output ?? 0, cachedInputTokens: counts.cacheRead)
    }

    mutating func apply(_ event: AnthropicStreamEvent, into output: inout [ProviderEvent]) throws(RPCError) {
        guard !isComplete else { return }
        switch event {
        case .messageStart(let model, let usage):
            if let model, !model.isEmpty { output.append(.model(model)) }
            counts.merge(usage)
        case .contentBlockStart(let index, let block):
            toolInputs[index] = nil
            switch block {
            case .text(let text):
                if !text.isEmpty { output.append(.text(text)) }
                blocks[index] = .streamed
            case .thinking(let thinking):
                if !thinking.isEmpty { output.append(.reasoning(thinking)) }
                blocks[index] = .streamed
            case .toolUse(let id, let name, let input):
                blocks[index] = .toolUse(id: id, name: name, startInput: input)
                toolInputs[index] = ""
            case .other:
                blocks[index] = .streamed
            }
        case .contentBlockDelta(let index, let delta):
            switch delta {
            case .text(let text): if !text.isEmpty { output.append(.text(text)) }
            case .thinking(let thinking): if !thinking.isEmpty { output.append(.reasoning(thinking)) }
            case .inputJSON(let fragment):
                // Server-side tools (`server_tool_use`) stream their input the same way; only
                // client tool calls are assembled and reported.
                guard case .toolUse? = blocks[index] else { return }
                toolInputs[index, default: ""] += fragment
            case .other:
                break
            }
        case .contentBlockStop(let index):
            guard let block = blocks.removeValue(forKey: index) else { return }
            try emitToolCall(block, fragments: toolInputs.removeValue(forKey: index) ?? "", into: &output)
        case .messageDelta(let stopReason, let usage):
            if let stopReason { self.stopReason = stopReason }
            counts.merge(usage)
        case .messageStop:
            // A block the stream never closed still belongs to the answer.
            for index in blocks.keys.sorted() {
                if let block = blocks[index] {
                    try emitToolCall(block, fragments: toolInputs[index] ?? "", into: &output)
                }
            }
            blocks = [:]
            toolInputs = [:]
            isComplete = true
            if let stopReason { output.append(.finish(Self.finishReason(stopReason))) }
            if let usage { output.append(.usage(usage)) }
        case .error(let type, let message):
            throw AnthropicErrors.inStream(provider: provider, type: type, message: message, usage: usage)
        case .ignored:
            break
        }
    }

    private func emitToolCall(
        _ block: OpenBlock,
        fragments: String,
        into output: inout [ProviderEvent]
    ) throws(RPCError) {
        guard case .toolUse(let id, let name, let startInput) = block else { return }
        let arguments: JSONValue
        if fragments.isEmpty {
            // No input streamed (or only `""`): the start event's `input`, normally `{}`, is all there is.
            arguments = startInput ?? .object([:])
        } else {
            guard let parsed = try? decoder.decode(JSONValue.self, from: Data(fragments.utf8)) else {
                throw AnthropicErrors.badResponse(
                    provider: provider,
                    "the input of tool call \(name.prefix(64)) is not valid JSON"
                )
            }
            arguments = parsed
        }
        guard arguments.objectValue != nil else {
            throw AnthropicErrors.badResponse(
                provider: provider,
                "the input of tool call \(name.prefix(64)) is not a JSON object"
            )
        }
        output.append(.toolCall(ToolCall(id: id, name: name, arguments: arguments)))
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        // `pause_turn`: the server paused a long turn; the answer so far ended normally.
        case "end_turn", "stop_sequence", "pause_turn": .stop
        case "max_tokens", "model_context_window_exceeded": .length
        case "tool_use": .toolCalls
        case "refusal": .contentFilter
        default: FinishReason(rawValue: raw)
        }
    }
}
