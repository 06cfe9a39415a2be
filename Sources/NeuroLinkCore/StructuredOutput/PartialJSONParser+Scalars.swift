import NeuroLinkProtocol

extension PartialJSONParser {
    /// The `true`, `false` or `null` being read.
    struct LiteralLexer: Sendable {
        var spelling: StaticString = "null"
        var value = JSONValue.null
        var matched = 0

        mutating func begin(_ first: UInt8) {
            switch first {
            case UInt8(ascii: "t"): (spelling, value) = ("true", .bool(true))
            case UInt8(ascii: "f"): (spelling, value) = ("false", .bool(false))
            default: (spelling, value) = ("null", .null)
            }
            matched = 1
        }

        /// The byte the literal needs next, or `nil` once it is complete.
        var expectedByte: UInt8? {
            spelling.withUTF8Buffer { $0.count > matched ? $0[matched] : nil }
        }
    }

    /// Reads a byte of a number; returns `false` when the byte ended the number and must be read again.
    mutating func consumeNumberByte(_ byte: UInt8) -> Bool {
        guard JSONNumberState.isNumberByte(byte) else {
            finishNumber()
            return false
        }
        if !number.advance(byte) {
            let text = String(decoding: number.bytes, as: UTF8.self)
            fail("invalid number: '\(text)' cannot be followed by \(Self.describe(byte))")
        }
        return true
    }

    /// Ends the number token at a delimiter (or at the end of a bare scalar's text).
    mutating func finishNumber() {
        let text = String(decoding: number.bytes, as: UTF8.self)
        guard number.state.isAccepting else {
            fail("incomplete number '\(text)'")
            return
        }
        guard let value = number.completeValue else {
            fail("number '\(text)' is too large to represent")
            return
        }
        token = .none
        deliver(.number(value))
    }

    mutating func consumeLiteralByte(_ byte: UInt8) {
        guard let expected = literal.expectedByte, byte == expected else {
            fail("invalid literal: expected '\(literal.spelling)', found \(Self.describe(byte))")
            return
        }
        literal.matched += 1
        if literal.expectedByte == nil {
            token = .none
            deliver(literal.value)
        }
    }
}
