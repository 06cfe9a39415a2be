import Foundation
import NeuroLinkProtocol

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

    /// - Parameter provider: the configured provider name, which prefixes every error message.
    public init(provider: String) {
        assembler = AnthropicMessageAssembler(provider: provider)
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
            let decoded: AnthropicStreamEvent
            do { decoded = try decoder.decode(AnthropicStreamEvent.self, from: Data(event.data)) } catch {
                throw AnthropicErrors.badResponse(
                    provider: assembler.provider,
                    "an event was not valid JSON of the expected shape"
                )
            }
            try assembler.apply(decoded, into: &output)
        }
    }

    public mutating func finish(into output: inout [ProviderEvent]) throws(RPCError) {
        guard assembler.isComplete else {
            throw AnthropicErrors.truncated(provider: assembler.provider, usage: assembler.usage)
        }
    }
}
