import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decodes a streamed Messages API response (`text/event-stream`) into ``ProviderEvent``s.
///
/// The events and the order they are reported in are described on the assembler; this type only
/// frames and parses. The body must end with `message_stop`: ``finish(into:)`` throws a retryable
/// `upstream_error` otherwise, and an in-stream `error` event throws as soon as it is decoded.
public struct AnthropicStreamDecoder: ProviderStreamDecoder {
    private var parser = SSEParser()
    private var pending: [SSEEvent] = []
    private var assembler: AnthropicMessageAssembler
    private let decoder = JSONDecoder()
    /// Whether text and thinking deltas are read by ``AnthropicFastEvent`` before `JSONDecoder`.
    private let fastPath: Bool
    /// The last delta the fast path read, with its block's index and whether it was thinking.
    private var template = EventTemplate()
    private var templateDelta: (index: Int, isThinking: Bool)?

    /// - Parameter provider: the configured provider name, which prefixes every error message.
    public init(provider: String) {
        self.init(provider: provider, fastPath: true)
    }

    /// - Parameter fastPath: `false` decodes every event with `JSONDecoder`, which the fast path
    ///   must agree with: for differential tests and fuzzing only.
    @_spi(FastPath) public init(provider: String, fastPath: Bool) {
        assembler = AnthropicMessageAssembler(provider: provider)
        self.fastPath = fastPath
    }

    public mutating func decode(_ bytes: [UInt8], into output: inout [ProviderEvent]) throws(RPCError) {
        do {
            try parser.feed(bytes, into: &pending)
        } catch {
            throw AnthropicErrors.badResponse(
                provider: assembler.provider,
                "an SSE line or event exceeded \(parser.maxLineBytes) bytes"
            )
        }
        defer { pending.removeAll(keepingCapacity: true) }
        for event in pending {
            // Whatever follows the terminal event is not part of the answer, so it is not even parsed.
            if assembler.isComplete { return }
            try decodeEvent(event.data, into: &output)
        }
    }

    /// Decodes one event's JSON: a text or thinking delta on the fast path, any other event with
    /// `JSONDecoder`.
    @_spi(FastPath) public mutating func decodeEvent(
        _ data: [UInt8],
        into output: inout [ProviderEvent]
    ) throws(RPCError) {
        if fastPath, let kept = templateDelta, let text = template.string(in: data) {
            let event = AnthropicFastEvent.event(index: kept.index, text: text, isThinking: kept.isThinking)
            try assembler.apply(event, into: &output)
            return
        }
        if fastPath, let scanned = AnthropicFastEvent.scanLocatingText(data) {
            try assembler.apply(scanned.event, into: &output)
            template.keep(data, stringAt: scanned.quoted)
            templateDelta = (scanned.index, scanned.isThinking)
            return
        }
        let decoded: AnthropicStreamEvent
        do { decoded = try decoder.decode(AnthropicStreamEvent.self, from: Data(data)) } catch {
            throw AnthropicErrors.badResponse(
                provider: assembler.provider,
                "an event was not valid JSON of the expected shape"
            )
        }
        try assembler.apply(decoded, into: &output)
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        guard assembler.isComplete else {
            throw AnthropicErrors.truncated(provider: assembler.provider, usage: assembler.usage)
        }
    }
}
