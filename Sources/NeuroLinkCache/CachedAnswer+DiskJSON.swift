import NIOCore
import NeuroLinkCore
import NeuroLinkProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CachedAnswer {
    /// The answer as a row's payload holds it: the JSON of its `Codable` conformance, which ``CacheDatabase``
    /// decodes with `JSONDecoder`.
    ///
    /// Written by hand for answers of text, reasoning and objects (nearly all of them): `JSONEncoder`'s generic
    /// containers took about 1.5 M instructions for a 20-chunk answer, more than compressing and inserting the row
    /// together, on the cache's writer, which shares the machine's cores with the streams. An answer with tool calls,
    /// or a number that is not finite (which the encoder refuses), goes through `JSONEncoder`.
    func diskJSON() throws -> [UInt8] {
        if let written = writtenJSON() { return written }
        return Array(try JSONEncoder().encode(self))
    }

    /// `nil` when a chunk is a tool call or a number is not finite.
    func writtenJSON() -> [UInt8]? {
        guard createdAt.isFinite, expiresAt.isFinite else { return nil }
        var out = ByteBufferAllocator().buffer(capacity: 192 + approximateBytes)
        out.writeStaticString(#"{"batches":["#)
        for (index, batch) in batches.enumerated() {
            guard batch.offsetMs.isFinite else { return nil }
            if index > 0 { out.writeStaticString(",") }
            out.writeStaticString(#"{"offsetMs":"#)
            out.writeJSONNumber(batch.offsetMs)
            out.writeStaticString(#","chunks":["#)
            for (position, chunk) in batch.chunks.enumerated() {
                if position > 0 { out.writeStaticString(",") }
                guard Self.write(chunk, into: &out) else { return nil }
            }
            out.writeStaticString("]}")
        }
        out.writeStaticString(#"],"finishReason":"#)
        out.writeJSONString(finishReason.rawValue)
        if let usage {
            out.writeStaticString(#","usage":"#)
            out.writeJSONUsage(usage)
        }
        out.writeStaticString(#","provider":"#)
        out.writeJSONString(provider)
        out.writeStaticString(#","model":"#)
        out.writeJSONString(model)
        if let maxTokens { out.writeString(#","maxTokens":\#(maxTokens)"#) }
        out.writeStaticString(#","createdAt":"#)
        out.writeJSONNumber(createdAt)
        out.writeStaticString(#","expiresAt":"#)
        out.writeJSONNumber(expiresAt)
        out.writeStaticString("}")
        return Array(out.readableBytesView)
    }

    /// A chunk as its synthesized `Codable` conformance writes it (`{"text":{"_0":…}}`); false for a tool call.
    private static func write(_ chunk: CachedChunk, into out: inout ByteBuffer) -> Bool {
        switch chunk {
        case .text(let text):
            out.writeStaticString(#"{"text":{"_0":"#)
            out.writeJSONString(text)
        case .reasoning(let text):
            out.writeStaticString(#"{"reasoning":{"_0":"#)
            out.writeJSONString(text)
        case .object(let value):
            out.writeStaticString(#"{"object":{"_0":"#)
            out.writeJSONValue(value)
        case .toolCall:
            return false
        }
        out.writeStaticString("}}")
        return true
    }
}
