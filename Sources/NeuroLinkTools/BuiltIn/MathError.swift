/// Why an expression has no value. Positions count Unicode scalars from 1.
struct MathError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        case syntax
        case divisionByZero
        case domain
        case overflow
        case tooDeep
        case tooLong
        case tooManyTokens
    }

    var kind: Kind
    /// What is wrong, without the position.
    var reason: String
    /// Where, when the error has a place in the expression.
    var position: Int?

    var description: String {
        guard let position else { return reason }
        return "\(reason) at position \(position)"
    }

    static func syntax(_ reason: String, at position: Int) -> MathError {
        MathError(kind: .syntax, reason: "Syntax error: \(reason)", position: position)
    }
}
