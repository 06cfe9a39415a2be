import NIOCore

/// The `stream.chunk` notifications that make up most of a stream — `text` and `reasoning` —
/// read through ``JSONValue/init(parsing:)-(ByteBuffer)`` instead of `JSONDecoder`.
///
/// ``read(_:)`` gives a chunk only when `JSONDecoder` would decode the frame to the same chunk: a
/// string `method` of `stream.chunk`, `params` holding `requestId` (a string, or an integer that a
/// double holds exactly), `seq` (the same kind of integer), `type` `text` or `reasoning`, `content`
/// (a string or `null`), and no other member that ``StreamChunk`` decodes. Anything else is `nil`,
/// and the caller decodes the frame in full.
enum ContentChunk {
    static func read(_ frame: ByteBuffer) -> StreamChunk? {
        guard let message = try? JSONValue(parsing: frame), case .object(let members) = message,
            case .string(Method.streamChunk) = members["method"], case .object(let params) = members["params"],
            case .string(let kind) = params["type"],
            kind == ChunkType.text.rawValue || kind == ChunkType.reasoning.rawValue,
            let requestId = params["requestId"].flatMap(id), let seq = params["seq"].flatMap(integer)
        else { return nil }
        let content: String?
        switch params["content"] {
        case .string(let text): content = text
        case .null, nil: content = nil
        default: return nil
        }
        guard !params.keys.contains(where: decodedElsewhere.contains) else { return nil }
        return StreamChunk(requestId: requestId, seq: seq, type: ChunkType(rawValue: kind), content: content)
    }

    /// The other members ``StreamChunk`` decodes: present, they may fail its decoding.
    private static let decodedElsewhere: Set<String> = [
        "finishReason", "usage", "toolCall", "object", "notice", "analytics", "evaluation", "evaluationError",
        "toolResult",
    ]

    private static func id(_ value: JSONValue) -> RPCID? {
        switch value {
        case .string(let text): .string(text)
        case .number: integer(value).map { .number(Int64($0)) }
        default: nil
        }
    }

    /// An integer that `JSONDecoder` reads as the same `Int`: below 2⁵³ in magnitude, where a
    /// double is exact (2⁵³ + 1 reads as 2⁵³).
    private static func integer(_ value: JSONValue) -> Int? {
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 9_007_199_254_740_992
        else { return nil }
        return Int(number)
    }
}
