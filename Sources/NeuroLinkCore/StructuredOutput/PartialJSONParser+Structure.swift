import NeuroLinkProtocol

extension PartialJSONParser {
    /// An array or object that has opened but not closed.
    struct Frame: Sendable {
        enum Kind: Sendable { case array, object }
        /// What may come next. Arrays use `valueOrClose`, `value` and `commaOrClose`; objects use
        /// `keyOrClose`, `key`, `colon`, `value` and `commaOrClose`.
        enum Expect: Sendable { case valueOrClose, value, keyOrClose, key, colon, commaOrClose }

        let kind: Kind
        var expect: Expect
        var elements: [JSONValue] = []
        var members: [String: JSONValue] = [:]
        /// The key of the member whose value is being read (objects in `colon` or `value`).
        var key = ""

        init(kind: Kind) {
            self.kind = kind
            expect = kind == .array ? .valueOrClose : .keyOrClose
        }

        /// The frame as a value, with `child` (the partial value being written inside it) included
        /// when it belongs to a member that has its key.
        func snapshot(including child: JSONValue?) -> JSONValue {
            switch kind {
            case .array:
                guard let child else { return .array(elements) }
                var partial = elements
                partial.append(child)
                return .array(partial)
            case .object:
                guard let child, expect == .value else { return .object(members) }
                var partial = members
                partial[key] = child
                return .object(partial)
            }
        }
    }

    /// Handles a byte between tokens: whitespace, punctuation, or the first byte of a value.
    mutating func consumeStructural(_ byte: UInt8) {
        if Self.isWhitespace(byte) { return }
        guard let top = stack.indices.last else {
            // Only an `anyValue` parser gets here, before its root value starts.
            beginValue(byte)
            return
        }
        switch stack[top].expect {
        case .valueOrClose:
            if byte == UInt8(ascii: "]") { closeContainer() } else { beginValue(byte) }
        case .value:
            beginValue(byte)
        case .keyOrClose:
            if byte == UInt8(ascii: "\"") {
                beginString(isKey: true)
            } else if byte == UInt8(ascii: "}") {
                closeContainer()
            } else {
                fail("expected a property name in double quotes or '}', found \(Self.describe(byte))")
            }
        case .key:
            if byte == UInt8(ascii: "\"") {
                beginString(isKey: true)
            } else {
                fail("expected a property name in double quotes after ',', found \(Self.describe(byte))")
            }
        case .colon:
            if byte == UInt8(ascii: ":") {
                stack[top].expect = .value
            } else {
                fail("expected ':' after a property name, found \(Self.describe(byte))")
            }
        case .commaOrClose:
            let isArray = stack[top].kind == .array
            let close = isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")
            if byte == UInt8(ascii: ",") {
                stack[top].expect = isArray ? .value : .key
            } else if byte == close {
                closeContainer()
            } else {
                let closeName = isArray ? "']'" : "'}'"
                fail("expected ',' or \(closeName) after a value, found \(Self.describe(byte))")
            }
        }
    }

    /// Starts the value whose first byte is `byte`.
    mutating func beginValue(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            openContainer(byte)
        case UInt8(ascii: "\""):
            beginString(isKey: false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            token = .number
            number.reset()
            _ = number.advance(byte)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            token = .literal
            literal.begin(byte)
        default:
            fail("expected a value, found \(Self.describe(byte))")
        }
    }

    /// Pushes a frame for `{` or `[`.
    mutating func openContainer(_ byte: UInt8) {
        guard stack.count < Self.maximumDepth else {
            fail("arrays and objects are nested more than \(Self.maximumDepth) levels deep")
            return
        }
        stack.append(Frame(kind: byte == UInt8(ascii: "{") ? .object : .array))
    }

    /// Pops the innermost frame and hands its value to the enclosing one.
    mutating func closeContainer() {
        // `removeLast` moves the frame out, so its storage is handed over without a copy.
        let frame = stack.removeLast()
        deliver(frame.kind == .array ? .array(frame.elements) : .object(frame.members))
    }

    /// Stores a completed value in the innermost open container, or makes it the root.
    mutating func deliver(_ value: JSONValue) {
        guard let top = stack.indices.last else {
            root = value
            phase = .trailing
            return
        }
        switch stack[top].kind {
        case .array:
            stack[top].elements.append(value)
        case .object:
            let key = stack[top].key
            stack[top].members[key] = value
        }
        stack[top].expect = .commaOrClose
    }

    /// The value parsed so far; see ``current``.
    func snapshot() -> JSONValue? {
        if let root { return root }
        guard phase == .value else { return nil }
        var child = partialToken()
        for frame in stack.reversed() {
            child = frame.snapshot(including: child)
        }
        return child
    }

    /// What the token being read contributes to a snapshot.
    private func partialToken() -> JSONValue? {
        switch token {
        case .string: .string(string.text)
        case .number: number.partialValue.map(JSONValue.number)
        // A key has no value yet, and `tru` could still become an error.
        case .none, .key, .literal: nil
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }

    /// A byte as it should appear in an error message.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
}
