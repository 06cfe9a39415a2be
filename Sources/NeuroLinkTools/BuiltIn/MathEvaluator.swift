/// Evaluates arithmetic expressions within fixed bounds. See ``MathParser`` for the grammar.
struct MathEvaluator: Sendable {
    /// The bounds on one expression. Every token is at least one character, so the token bound
    /// matters only below `maxLength`; the depth bound keeps the parser's recursion shallow.
    struct Limits: Sendable {
        var maxLength = 1000
        var maxTokens = 500
        var maxDepth = 64
    }

    var limits = Limits()

    /// The value of `expression`.
    func evaluate(_ expression: String) throws(MathError) -> Double {
        // Scalars first, which is cheap: a grapheme cluster can hold any number of scalars, so
        // counting characters alone could walk a huge string. Only ASCII means anything here, so
        // refusing over four scalars per character loses no valid expression.
        guard expression.unicodeScalars.count <= limits.maxLength * 4, expression.count <= limits.maxLength else {
            throw MathError(
                kind: .tooLong,
                reason: "The expression is longer than \(limits.maxLength) characters",
                position: nil
            )
        }
        var lexer = MathLexer(expression, maxTokens: limits.maxTokens)
        var parser = MathParser(tokens: try lexer.tokens(), maxDepth: limits.maxDepth)
        return try parser.evaluate()
    }

    /// `value` as text: integers without a fractional part when they are exactly integral and
    /// within ±2^53 (where every integer is exact), otherwise the shortest text that reads back
    /// as the same `Double` (`0.1`, `1e-05`, `1e+20`).
    static func format(_ value: Double) -> String {
        let exactIntegerBound = 9_007_199_254_740_992.0
        if value.rounded(.towardZero) == value, Swift.abs(value) <= exactIntegerBound {
            return String(Int64(value))
        }
        return value.description
    }
}
