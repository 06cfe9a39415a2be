/// The JSON number grammar (RFC 8259 §6) as a deterministic automaton, so a number arriving
/// byte by byte is validated in O(1) per byte and its longest valid prefix is always known.
///
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
enum JSONNumberState: Sendable {
    case start, minus, zero, integer, dot, fraction, exponentMark, exponentSign, exponent

    /// Whether the bytes read so far form a complete number (`12`, not `12.` or `-`).
    var isAccepting: Bool {
        switch self {
        case .zero, .integer, .fraction, .exponent: true
        case .start, .minus, .dot, .exponentMark, .exponentSign: false
        }
    }

    /// The state after `byte`, or `nil` when `byte` cannot continue the number (e.g. `01`, `1..`).
    func next(_ byte: UInt8) -> JSONNumberState? {
        let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        let isExponent = byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        switch self {
        case .start:
            if byte == UInt8(ascii: "-") { return .minus }
            return isDigit ? (byte == UInt8(ascii: "0") ? .zero : .integer) : nil
        case .minus:
            return isDigit ? (byte == UInt8(ascii: "0") ? .zero : .integer) : nil
        case .zero:
            if byte == UInt8(ascii: ".") { return .dot }
            return isExponent ? .exponentMark : nil
        case .integer:
            if isDigit { return .integer }
            if byte == UInt8(ascii: ".") { return .dot }
            return isExponent ? .exponentMark : nil
        case .dot:
            return isDigit ? .fraction : nil
        case .fraction:
            if isDigit { return .fraction }
            return isExponent ? .exponentMark : nil
        case .exponentMark:
            if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") { return .exponentSign }
            return isDigit ? .exponent : nil
        case .exponentSign, .exponent:
            return isDigit ? .exponent : nil
        }
    }

    /// Bytes that belong to a number token; any other byte ends it. Treating all of these as part of the
    /// token (rather than stopping at the first unexpected one) makes `1-2` an error instead of two values.
    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
            UInt8(ascii: "e"), UInt8(ascii: "E"):
            true
        default:
            false
        }
    }
}

/// The number token being read.
struct NumberLexer: Sendable {
    var bytes: [UInt8] = []
    var state = JSONNumberState.start
    /// Length of the longest prefix of `bytes` that is a complete number.
    var validLength = 0

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        state = .start
        validLength = 0
    }

    /// Adds `byte`; returns `false` (leaving the lexer unchanged) when it makes the number invalid.
    mutating func advance(_ byte: UInt8) -> Bool {
        guard let next = state.next(byte) else { return false }
        state = next
        bytes.append(byte)
        if next.isAccepting { validLength = bytes.count }
        return true
    }

    /// The value of the longest valid prefix: `12.` reads as 12 and `-` as nothing. Showing the prefix,
    /// rather than nothing, keeps a member from vanishing between `1` and `1.5`.
    var partialValue: Double? {
        guard validLength > 0 else { return nil }
        return Self.value(of: bytes[..<validLength])
    }

    /// The value of the whole token, when it is complete and representable.
    var completeValue: Double? {
        guard state.isAccepting else { return nil }
        return Self.value(of: bytes[...])
    }

    private static func value(of digits: ArraySlice<UInt8>) -> Double? {
        // The automaton admitted only JSON number syntax, which `Double.init` parses exactly;
        // out-of-range exponents come back infinite and are rejected because JSON cannot carry them.
        guard let value = Double(String(decoding: digits, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }
}
