import NeuroLinkProtocol

/// What may surround the value: prose and fences before it, a fence after it.
extension PartialJSONParser {
    /// Skips to the first `{` or `[`, keeping the skipped bytes for ``finalValue()``.
    mutating func skipPreamble(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                preamble.append(contentsOf: bytes[start..<index])
                position = consumed + index
                phase = .value
                openContainer(byte)
                return index + 1
            }
            index += 1
        }
        preamble.append(contentsOf: bytes[start..<index])
        return index
    }

    /// Checks a byte after the root closed: only whitespace and one closing fence may follow.
    mutating func consumeTrailing(_ byte: UInt8) {
        if byte == UInt8(ascii: "`"), !trailingFenceClosed {
            trailingBackticks += 1
        } else if Self.isWhitespace(byte) {
            if trailingBackticks > 0 { trailingFenceClosed = true }
            if (1...2).contains(trailingBackticks) { tolerate("incomplete code fence after the JSON value") }
        } else {
            tolerate("unexpected \(Self.describe(byte)) after the JSON value")
        }
    }

    /// The strict checks on what surrounds a complete root.
    func checkEnvelope() throws(PartialJSONError) {
        if (1...2).contains(trailingBackticks) {
            throw PartialJSONError(offset: consumed, message: "incomplete code fence after the JSON value")
        }
        let text = String(decoding: preamble, as: UTF8.self)
        guard Self.isFenceOpening(Self.trimmed(text[...])) else {
            throw PartialJSONError(offset: 0, message: "unexpected text before the JSON value")
        }
    }

    /// Describes a document that ended while still open.
    func unexpectedEnd() -> PartialJSONError {
        let inside: String
        switch token {
        case .string: inside = "a string"
        case .key: inside = "a property name"
        case .number: inside = "a number"
        case .literal: inside = "'\(literal.spelling)'"
        case .none:
            switch stack.last?.kind {
            case .array: inside = "an array"
            case .object: inside = "an object"
            case nil: inside = "the document"
            }
        }
        let open = stack.count == 1 ? "1 unclosed container" : "\(stack.count) unclosed containers"
        return PartialJSONError(offset: consumed, message: "unexpected end of input inside \(inside) (\(open))")
    }

    /// Parses a text that never opened an object or array: it may still be one bare scalar
    /// (`42`, `"text"`, `true`), possibly fenced.
    static func parseBareValue(_ bytes: [UInt8]) throws(PartialJSONError) -> JSONValue {
        let text = String(decoding: bytes, as: UTF8.self)
        var body = trimmed(text[...])
        if body.hasPrefix("```"), let newline = body.firstIndex(of: "\n"),
            isFenceOpening(body[..<newline])
        {
            body = trimmed(body[body.index(after: newline)...])
            if body.hasSuffix("```") { body = trimmed(body.dropLast(3)) }
        }
        guard !body.isEmpty else {
            throw PartialJSONError(offset: bytes.count, message: "the text holds no JSON value")
        }
        var parser = PartialJSONParser(rootPolicy: .anyValue)
        // Offsets in errors stay relative to the caller's whole text.
        parser.consumed = text.utf8.distance(from: text.startIndex, to: body.startIndex)
        var source = String(body)
        source.withUTF8 { parser.consume($0) }
        parser.position = parser.consumed
        if parser.halted == nil, parser.token == .number { parser.finishNumber() }
        if let error = parser.strictError { throw error }
        guard let value = parser.root else { throw parser.unexpectedEnd() }
        return value
    }

    /// Whether `text` is empty or an opening fence line such as ```` ```json ````.
    private static func isFenceOpening(_ text: Substring) -> Bool {
        guard !text.isEmpty else { return true }
        let afterTicks = text.drop { $0 == "`" }
        guard text.count - afterTicks.count >= 3 else { return false }
        return trimmed(afterTicks).unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-+.".unicodeScalars.contains($0)
        }
    }

    /// `text` without leading and trailing whitespace (including a byte-order mark).
    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0 == "\u{FEFF}" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }
}
