import NIOCore

/// Why some bytes are not one JSON value, and where the problem is.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for a person.
    public var message: String
    /// The byte offset of the problem in the input.
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

extension JSONValue {
    /// Arrays and objects nest at most this deep; deeper input is refused, so a small hostile
    /// body can neither exhaust the stack nor cost more than linear time.
    public static let maximumNestingDepth = 512

    /// Parses exactly one JSON value (RFC 8259, strictly: no trailing commas, comments, leading
    /// zeros, non-finite numbers, invalid UTF-8 or unpaired surrogate escapes), surrounded by
    /// optional whitespace. When an object repeats a key, the first value is kept, as Foundation's
    /// `JSONDecoder` does; the repeats are still checked.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var parser = JSONParser(bytes: bytes)
        self = try parser.parseDocument()
    }

    /// Parses the readable bytes of `buffer` (see ``init(parsing:)-(UnsafeRawBufferPointer)``).
    public init(parsing buffer: ByteBuffer) throws(JSONParseError) {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONParseError) in try JSONValue(parsing: bytes) }
        }
        self = try result.get()
    }

    /// Parses the UTF-8 of `text` (see ``init(parsing:)-(UnsafeRawBufferPointer)``).
    public init(parsing text: String) throws(JSONParseError) {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONParseError) in try JSONValue(parsing: UnsafeRawBufferPointer(utf8)) }
        }
        self = try result.get()
    }
}

/// A recursive-descent parser over borrowed bytes; every read is bounds-checked by hand, so the
/// buffer's own (debug-only) checks are never what stands between input and a crash.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected data after the value") }
        return value
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[index] {
        case ASCII.openBrace: return try parseObject()
        case ASCII.openBracket: return try parseArray()
        case ASCII.quote: return .string(try parseString())
        case ASCII.t: return try literal("true", .bool(true))
        case ASCII.f: return try literal("false", .bool(false))
        case ASCII.n: return try literal("null", .null)
        case ASCII.minus, ASCII.zero...ASCII.nine: return .number(try parseNumber())
        default: throw failure("unexpected character")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(ASCII.closeBrace) { return leaveContainer(.object(object)) }
        while true {
            guard index < bytes.count, bytes[index] == ASCII.quote else { throw failure("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard consume(ASCII.colon) else { throw failure("expected ':' after a key") }
            skipWhitespace()
            let value = try parseValue()
            if object[key] == nil { object[key] = value }
            skipWhitespace()
            if consume(ASCII.closeBrace) { return leaveContainer(.object(object)) }
            guard consume(ASCII.comma) else { throw failure("expected ',' or '}' in an object") }
            skipWhitespace()
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        var array: [JSONValue] = []
        skipWhitespace()
        if consume(ASCII.closeBracket) { return leaveContainer(.array(array)) }
        while true {
            array.append(try parseValue())
            skipWhitespace()
            if consume(ASCII.closeBracket) { return leaveContainer(.array(array)) }
            guard consume(ASCII.comma) else { throw failure("expected ',' or ']' in an array") }
            skipWhitespace()
        }
    }

    /// Steps over the opening bracket or brace, counting the depth.
    private mutating func enterContainer() throws(JSONParseError) {
        guard depth < JSONValue.maximumNestingDepth else {
            throw failure("nesting deeper than \(JSONValue.maximumNestingDepth)")
        }
        depth += 1
        index += 1
    }

    private mutating func leaveContainer(_ value: JSONValue) -> JSONValue {
        depth -= 1
        return value
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { throw failure("invalid literal") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw failure("invalid literal")
        }
        index += count
        return value
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.tab, ASCII.lineFeed, ASCII.carriageReturn: index += 1
            default: return
            }
        }
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    func failure(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(message: message, offset: offset ?? index)
    }
}

/// The bytes the grammar names.
enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let e = UInt8(ascii: "e")
    static let f = UInt8(ascii: "f")
    static let n = UInt8(ascii: "n")
    static let t = UInt8(ascii: "t")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
}
