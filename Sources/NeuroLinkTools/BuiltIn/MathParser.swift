import Foundation

/// A recursive-descent parser that evaluates as it parses, over `Double`.
///
/// Grammar, loosest binding first:
///
///     expression := term (("+" | "-") term)*
///     term       := unary (("*" | "/" | "%") unary)*
///     unary      := ("-" | "+") unary | power
///     power      := primary ("^" unary)?
///     primary    := number | constant | function "(" arguments ")" | "(" expression ")"
///
/// So `^` binds tighter than a leading sign (`-2^2` is −4, as in mathematics) and groups to the
/// right (`2^3^2` is 2^9); its exponent may carry a sign (`2^-1` is 0.5). `%` is the remainder
/// of truncating division, with the sign of the dividend. There is no implicit multiplication.
///
/// Arithmetic faults (division by zero, domain errors, overflow) are remembered and reported only
/// once the whole expression has parsed, so a syntax error anywhere is always the one reported.
struct MathParser {
    private let tokens: [MathToken]
    private let maxDepth: Int
    private var index = 0
    private var depth = 0
    private var fault: MathError?

    init(tokens: [MathToken], maxDepth: Int) {
        // The list must end with `.end`, which `current` relies on; the lexer's always does.
        let end = MathToken(kind: .end, position: (tokens.last?.position ?? 0) + 1)
        self.tokens = tokens.last?.kind == .end ? tokens : tokens + [end]
        self.maxDepth = maxDepth
    }

    /// The value of the whole token list.
    mutating func evaluate() throws(MathError) -> Double {
        let value = try expression()
        guard current.kind == .end else { throw unexpected(current, expecting: "an operator") }
        if let fault { throw fault }
        return value
    }

    private var current: MathToken {
        // The list ends with `.end`, and `advance` never moves past it.
        tokens[min(index, tokens.count - 1)]
    }

    private mutating func advance() -> MathToken {
        let token = current
        if token.kind != .end { index += 1 }
        return token
    }

    private mutating func expression() throws(MathError) -> Double {
        var value = try term()
        while current.kind == .plus || current.kind == .minus {
            let operation = advance()
            let right = try term()
            value = checked(operation.kind == .plus ? value + right : value - right, at: operation.position)
        }
        return value
    }

    private mutating func term() throws(MathError) -> Double {
        var value = try unary()
        while [.times, .divide, .remainder].contains(current.kind) {
            let operation = advance()
            let right = try unary()
            value = product(value, right, operation)
        }
        return value
    }

    private mutating func product(_ left: Double, _ right: Double, _ operation: MathToken) -> Double {
        if operation.kind == .times { return checked(left * right, at: operation.position) }
        guard right != 0 else {
            record(MathError(kind: .divisionByZero, reason: "Division by zero", position: operation.position))
            return .nan
        }
        let value = operation.kind == .divide ? left / right : left.truncatingRemainder(dividingBy: right)
        return checked(value, at: operation.position)
    }

    private mutating func unary() throws(MathError) -> Double {
        guard current.kind == .plus || current.kind == .minus else { return try power() }
        let sign = advance()
        try enter(at: sign.position)
        defer { depth -= 1 }
        let operand = try unary()
        return sign.kind == .minus ? -operand : operand
    }

    private mutating func power() throws(MathError) -> Double {
        let base = try primary()
        guard current.kind == .power else { return base }
        let operation = advance()
        try enter(at: operation.position)
        defer { depth -= 1 }
        let exponent = try unary()
        return checked(Foundation.pow(base, exponent), at: operation.position)
    }

    private mutating func primary() throws(MathError) -> Double {
        let token = advance()
        switch token.kind {
        case .number(let value):
            return value
        case .name(let name):
            return try named(name.lowercased(), token)
        case .openParen:
            try enter(at: token.position)
            defer { depth -= 1 }
            let value = try expression()
            try expect(.closeParen, "')' to close the '(' at position \(token.position)")
            return value
        default:
            throw unexpected(token, expecting: "a number, a name or '('")
        }
    }

    private mutating func named(_ name: String, _ token: MathToken) throws(MathError) -> Double {
        let isFunction = MathLibrary.unary[name] != nil || MathLibrary.variadic[name] != nil
        if let value = MathLibrary.constants[name] {
            guard current.kind != .openParen else {
                throw MathError.syntax("'\(name)' is a constant, not a function", at: current.position)
            }
            return value
        }
        guard isFunction else {
            throw MathError.syntax("unknown name '\(BuiltInText.clipped(name, limit: 40))'", at: token.position)
        }
        try expect(.openParen, "'(' after '\(name)'")
        try enter(at: token.position)
        defer { depth -= 1 }
        let arguments = try argumentList()
        return try call(name, arguments, at: token.position)
    }

    /// Comma-separated expressions up to and including the closing parenthesis.
    private mutating func argumentList() throws(MathError) -> [Double] {
        var arguments: [Double] = []
        if current.kind == .closeParen {
            _ = advance()
            return arguments
        }
        while true {
            arguments.append(try expression())
            if current.kind == .comma {
                _ = advance()
                continue
            }
            try expect(.closeParen, "',' or ')' in the argument list")
            return arguments
        }
    }

    private mutating func call(_ name: String, _ arguments: [Double], at position: Int) throws(MathError) -> Double {
        if let function = MathLibrary.variadic[name] {
            guard !arguments.isEmpty else {
                throw MathError.syntax("\(name) needs at least one argument", at: position)
            }
            return checked(function(arguments), at: position)
        }
        guard let function = MathLibrary.unary[name], arguments.count == 1 else {
            throw MathError.syntax("\(name) takes exactly one argument, not \(arguments.count)", at: position)
        }
        let argument = arguments[0]
        if argument.isFinite, let reason = function.domainError(argument) {
            record(MathError(kind: .domain, reason: "Domain error: \(reason)", position: position))
            return .nan
        }
        return checked(function.apply(argument), at: position)
    }

    private mutating func expect(_ kind: MathToken.Kind, _ expectation: String) throws(MathError) {
        guard current.kind == kind else { throw unexpected(current, expecting: expectation) }
        _ = advance()
    }

    /// One level deeper in parentheses, calls, signs or exponents; bounded so no input can
    /// exhaust the stack.
    private mutating func enter(at position: Int) throws(MathError) {
        depth += 1
        guard depth <= maxDepth else {
            throw MathError(
                kind: .tooDeep,
                reason: "The expression nests deeper than \(maxDepth) levels",
                position: position
            )
        }
    }

    /// `value`, after noting a fault when an operation on finite numbers left the finite range.
    private mutating func checked(_ value: Double, at position: Int) -> Double {
        if value.isNaN {
            record(MathError(kind: .domain, reason: "Domain error: the result is undefined", position: position))
        } else if value.isInfinite {
            record(MathError(kind: .overflow, reason: "Overflow: the result is not finite", position: position))
        }
        return value
    }

    /// Keeps the first fault: later ones follow from it (NaN spreads).
    private mutating func record(_ error: MathError) {
        if fault == nil { fault = error }
    }

    private func unexpected(_ token: MathToken, expecting expectation: String) -> MathError {
        let found: String
        switch token.kind {
        case .end: found = "end of expression"
        case .number: found = "number"
        case .name(let name): found = "name '\(BuiltInText.clipped(name, limit: 40))'"
        default: found = "'\(Self.symbol(token.kind))'"
        }
        return MathError.syntax("expected \(expectation) but found \(found)", at: token.position)
    }

    private static func symbol(_ kind: MathToken.Kind) -> String {
        switch kind {
        case .plus: return "+"
        case .minus: return "-"
        case .times: return "*"
        case .divide: return "/"
        case .remainder: return "%"
        case .power: return "^"
        case .openParen: return "("
        case .closeParen: return ")"
        case .comma: return ","
        case .number, .name, .end: return ""
        }
    }
}
