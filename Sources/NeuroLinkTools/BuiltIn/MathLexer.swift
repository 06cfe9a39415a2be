/// One token of an arithmetic expression.
struct MathToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case number(Double)
        case name(String)
        case plus
        case minus
        case times
        case divide
        case remainder
        case power
        case openParen
        case closeParen
        case comma
        case end
    }

    var kind: Kind
    /// 1-based offset of the token's first scalar.
    var position: Int
}

/// Splits an expression into tokens. Only ASCII is meaningful; anything else is a syntax error
/// naming the character.
struct MathLexer {
    private let scalars: [Unicode.Scalar]
    private let maxTokens: Int
    private var index = 0

    init(_ expression: String, maxTokens: Int) {
        scalars = Array(expression.unicodeScalars)
        self.maxTokens = maxTokens
    }

    /// Every token, ending with `.end`.
    mutating func tokens() throws(MathError) -> [MathToken] {
        var tokens: [MathToken] = []
        while true {
            skipWhitespace()
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
            if tokens.count > maxTokens {
                throw MathError(
                    kind: .tooManyTokens,
                    reason: "The expression has more than \(maxTokens) tokens",
                    position: token.position
                )
            }
        }
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func skipWhitespace() {
        while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            index += 1
        }
    }

    private mutating func next() throws(MathError) -> MathToken {
        let position = index + 1
        guard let scalar = current else { return MathToken(kind: .end, position: position) }
        if Self.isDigit(scalar) || scalar == "." { return try number() }
        if Self.isLetter(scalar) { return name() }
        index += 1
        switch scalar {
        case "+": return MathToken(kind: .plus, position: position)
        case "-": return MathToken(kind: .minus, position: position)
        case "*": return MathToken(kind: .times, position: position)
        case "/": return MathToken(kind: .divide, position: position)
        case "%": return MathToken(kind: .remainder, position: position)
        case "^": return MathToken(kind: .power, position: position)
        case "(": return MathToken(kind: .openParen, position: position)
        case ")": return MathToken(kind: .closeParen, position: position)
        case ",": return MathToken(kind: .comma, position: position)
        default: throw MathError.syntax("unexpected character '\(scalar.escaped(asASCII: false))'", at: position)
        }
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`, or `. digits`; at least one mantissa digit.
    private mutating func number() throws(MathError) -> MathToken {
        let start = index
        let integerDigits = skipDigits()
        var fractionDigits = 0
        if current == "." {
            index += 1
            fractionDigits = skipDigits()
        }
        guard integerDigits + fractionDigits > 0 else {
            throw MathError.syntax("a number needs a digit", at: start + 1)
        }
        if current == "e" || current == "E" {
            let exponentStart = index
            index += 1
            if current == "+" || current == "-" { index += 1 }
            guard skipDigits() > 0 else { throw MathError.syntax("the exponent needs digits", at: exponentStart + 1) }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<index])
        guard let value = Double(text), value.isFinite else {
            throw MathError(kind: .overflow, reason: "The number \(text) is too large", position: start + 1)
        }
        return MathToken(kind: .number(value), position: start + 1)
    }

    private mutating func name() -> MathToken {
        let start = index
        while let scalar = current, Self.isLetter(scalar) || Self.isDigit(scalar) { index += 1 }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<index])
        return MathToken(kind: .name(text), position: start + 1)
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while let scalar = current, Self.isDigit(scalar) { index += 1 }
        return index - start
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }
}
