import NeuroLinkProtocol

/// One event of a Messages API stream: the JSON of an SSE `data:` field.
///
/// Decoding reads `type` first and then only the fields that type defines, so event types added
/// later (which clients must ignore) cannot fail decoding because of a shape never seen here.
enum AnthropicStreamEvent: Decodable, Equatable {
    case messageStart(model: String?, usage: WireUsage?)
    case contentBlockStart(index: Int, block: Block)
    case contentBlockDelta(index: Int, delta: Delta)
    case contentBlockStop(index: Int)
    case messageDelta(stopReason: String?, usage: WireUsage?)
    case messageStop
    case error(type: String?, message: String?)
    /// `ping`, and every event type this build does not know.
    case ignored

    /// The start of a content block.
    enum Block: Equatable {
        case text(String)
        case thinking(String)
        /// `input` is normally `{}` here; the arguments arrive as `input_json_delta` fragments.
        case toolUse(id: String, name: String, input: JSONValue?)
        /// `redacted_thinking`, `server_tool_use`, results of server tools, and future kinds.
        case other
    }

    /// A piece of a content block.
    enum Delta: Equatable {
        case text(String)
        case thinking(String)
        case inputJSON(String)
        /// `signature_delta`, `citations_delta` and future kinds.
        case other
    }

    /// Token counts, as reported in `message_start` and (cumulatively) in `message_delta`.
    /// Counts are clamped to 0...Int.max whatever number the server sends (see TokenCount).
    struct WireUsage: Decodable, Equatable {
        var input_tokens: TokenCount?
        var output_tokens: TokenCount?
        var cache_creation_input_tokens: TokenCount?
        var cache_read_input_tokens: TokenCount?
    }

    private enum Keys: String, CodingKey {
        case type, message, model, usage, index, content_block, delta, error
        case text, thinking, id, name, input, partial_json, stop_reason
    }

    init(from decoder: any Decoder) throws {
        let event = try decoder.container(keyedBy: Keys.self)
        switch try event.decodeIfPresent(String.self, forKey: .type) {
        case "message_start":
            let message = try event.nestedContainer(keyedBy: Keys.self, forKey: .message)
            self = .messageStart(
                model: try message.decodeIfPresent(String.self, forKey: .model),
                usage: try message.decodeIfPresent(WireUsage.self, forKey: .usage)
            )
        case "content_block_start":
            let block = try event.nestedContainer(keyedBy: Keys.self, forKey: .content_block)
            self = .contentBlockStart(index: try event.decode(Int.self, forKey: .index), block: try Self.block(block))
        case "content_block_delta":
            let delta = try event.nestedContainer(keyedBy: Keys.self, forKey: .delta)
            self = .contentBlockDelta(index: try event.decode(Int.self, forKey: .index), delta: try Self.delta(delta))
        case "content_block_stop":
            self = .contentBlockStop(index: try event.decode(Int.self, forKey: .index))
        case "message_delta":
            let delta = try event.nestedContainer(keyedBy: Keys.self, forKey: .delta)
            self = .messageDelta(
                stopReason: try delta.decodeIfPresent(String.self, forKey: .stop_reason),
                usage: try event.decodeIfPresent(WireUsage.self, forKey: .usage)
            )
        case "message_stop":
            self = .messageStop
        case "error":
            // A malformed error event is still an error: its details are read leniently.
            let error = try? event.nestedContainer(keyedBy: Keys.self, forKey: .error)
            self = .error(
                type: (try? error?.decodeIfPresent(String.self, forKey: .type)) ?? nil,
                message: (try? error?.decodeIfPresent(String.self, forKey: .message)) ?? nil
            )
        default:
            self = .ignored
        }
    }

    private static func block(_ block: KeyedDecodingContainer<Keys>) throws -> Block {
        switch try block.decodeIfPresent(String.self, forKey: .type) {
        case "text":
            return .text(try block.decodeIfPresent(String.self, forKey: .text) ?? "")
        case "thinking":
            return .thinking(try block.decodeIfPresent(String.self, forKey: .thinking) ?? "")
        case "tool_use":
            return .toolUse(
                id: try block.decode(String.self, forKey: .id),
                name: try block.decode(String.self, forKey: .name),
                input: try block.decodeIfPresent(JSONValue.self, forKey: .input)
            )
        default:
            return .other
        }
    }

    private static func delta(_ delta: KeyedDecodingContainer<Keys>) throws -> Delta {
        switch try delta.decodeIfPresent(String.self, forKey: .type) {
        case "text_delta": .text(try delta.decode(String.self, forKey: .text))
        case "thinking_delta": .thinking(try delta.decode(String.self, forKey: .thinking))
        case "input_json_delta": .inputJSON(try delta.decode(String.self, forKey: .partial_json))
        default: .other
        }
    }
}
