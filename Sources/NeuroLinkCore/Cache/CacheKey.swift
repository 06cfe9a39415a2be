import Crypto
import NeuroLinkProtocol
import NeuroLinkProviders

/// The exact tier's key: SHA-256 over a canonical encoding of everything that shapes an answer,
/// in a fixed order, each field tagged and length-prefixed (so no two different requests encode
/// alike), objects with their keys sorted, numbers as the bits of their `Double` (so `1`, `1.0`
/// and `1e0` are one number). No JSON is built on the way.
///
/// What goes in (docs/configuration.md, "cache"): the key's version, the scope (tenant or
/// global, and the request's namespace), the pool or provider and the model asked for, every
/// message (system prompt included) with its tool calls, the tools, `toolChoice`, `schema`,
/// temperature, top-p, stop sequences and seed. `maxTokens` is left out on purpose: it selects a
/// variant of the entry (``CachedAnswer/serves(maxTokens:)``).
public struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    /// 64 lower-case hex digits.
    public let hex: String
    public var description: String { hex }

    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        self.hex = hex
    }

    init(digest: SHA256.Digest) {
        hex = digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// This key narrowed to what `qualifier` names (the embedding model of a semantic scope): keys
    /// with different qualifiers never meet.
    public func qualified(by qualifier: String) -> CacheKey {
        var encoder = CanonicalEncoder()
        encoder.field(1, hex)
        encoder.field(2, qualifier)
        return CacheKey(digest: encoder.hasher.finalize())
    }

    /// Bump when what the key covers, or how it is encoded, changes: old entries then never match.
    static let version = "neurolink-cache-1"

    /// The key of a request: `scope` is `tenant:<name>` or `global`, plus the namespace.
    static func make(
        scope: String,
        target: String,
        model: String?,
        chat: ChatRequest,
        params: StreamRequest
    ) -> CacheKey {
        var encoder = CanonicalEncoder()
        encoder.field(1, Self.version)
        encoder.field(2, scope)
        encoder.field(3, target)
        encoder.field(4, model)
        encoder.tag(5)
        encoder.count(chat.messages.count)
        for message in chat.messages { encoder.message(message) }
        encoder.tag(6)
        encoder.count(chat.tools?.count ?? -1)
        for tool in chat.tools ?? [] {
            encoder.field(7, tool.name)
            encoder.field(8, tool.description)
            encoder.json(9, tool.parameters)
        }
        encoder.field(10, chat.toolChoice.map(Self.text))
        encoder.json(11, chat.schema)
        encoder.number(12, chat.temperature)
        encoder.number(13, params.topP)
        encoder.tag(14)
        encoder.count(params.stop?.count ?? -1)
        for stop in params.stop ?? [] { encoder.string(stop) }
        encoder.number(15, params.seed.map(Double.init))
        return CacheKey(digest: encoder.hasher.finalize())
    }

    private static func text(_ choice: ToolChoice) -> String {
        switch choice {
        case .auto: "auto"
        case .none: "none"
        case .required: "required"
        case .tool(let name): "tool:" + name
        }
    }
}

/// Feeds a canonical, self-delimiting encoding into SHA-256.
struct CanonicalEncoder {
    var hasher = SHA256()

    mutating func tag(_ tag: UInt8) { hasher.update(data: [tag]) }

    mutating func count(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { hasher.update(bufferPointer: $0) }
    }

    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            count(bytes.count)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        }
    }

    /// A tagged optional string: absent and empty differ.
    mutating func field(_ tag: UInt8, _ text: String?) {
        self.tag(tag)
        guard let text else { return count(-1) }
        string(text)
    }

    mutating func number(_ tag: UInt8, _ value: Double?) {
        self.tag(tag)
        guard let value else { return count(-1) }
        count(8)
        // -0 and 0 are one number.
        withUnsafeBytes(of: (value == 0 ? 0 : value).bitPattern.littleEndian) { hasher.update(bufferPointer: $0) }
    }

    mutating func message(_ message: ChatMessage) {
        field(20, message.role)
        field(21, message.content)
        field(22, message.toolCallId)
        tag(23)
        count(message.toolCalls?.count ?? -1)
        for call in message.toolCalls ?? [] {
            field(24, call.id)
            field(25, call.name)
            json(26, call.arguments)
        }
    }

    mutating func json(_ tag: UInt8, _ value: JSONValue?) {
        self.tag(tag)
        guard let value else { return count(-1) }
        json(value)
    }

    private mutating func json(_ value: JSONValue) {
        switch value {
        case .null: tag(30)
        case .bool(let flag): tag(flag ? 31 : 32)
        case .number(let value): number(33, value)
        case .string(let text): field(34, text)
        case .array(let items):
            tag(35)
            count(items.count)
            for item in items { json(item) }
        case .object(let members):
            tag(36)
            count(members.count)
            for key in members.keys.sorted() {
                string(key)
                json(members[key] ?? .null)
            }
        }
    }
}
