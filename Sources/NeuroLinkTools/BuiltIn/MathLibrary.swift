import Foundation

/// The named constants and functions an expression may use. Names match without regard to case.
enum MathLibrary {
    static let constants: [String: Double] = ["pi": Double.pi, "e": M_E]

    /// A function of one argument, with the test that its argument is in the domain.
    struct Unary: Sendable {
        var apply: @Sendable (Double) -> Double
        /// Why `x` is outside the domain, or nil when it is inside.
        var domainError: @Sendable (Double) -> String?
    }

    static let unary: [String: Unary] = [
        "sqrt": Unary(apply: { $0.squareRoot() }, domainError: { $0 < 0 ? "sqrt of a negative number" : nil }),
        "abs": Unary(apply: { Swift.abs($0) }, domainError: noLimit),
        "sin": Unary(apply: { Foundation.sin($0) }, domainError: noLimit),
        "cos": Unary(apply: { Foundation.cos($0) }, domainError: noLimit),
        "tan": Unary(apply: { Foundation.tan($0) }, domainError: noLimit),
        "asin": Unary(apply: { Foundation.asin($0) }, domainError: { unitInterval("asin", $0) }),
        "acos": Unary(apply: { Foundation.acos($0) }, domainError: { unitInterval("acos", $0) }),
        "atan": Unary(apply: { Foundation.atan($0) }, domainError: noLimit),
        "ln": Unary(apply: { Foundation.log($0) }, domainError: { positive("ln", $0) }),
        "log10": Unary(apply: { Foundation.log10($0) }, domainError: { positive("log10", $0) }),
        "log2": Unary(apply: { Foundation.log2($0) }, domainError: { positive("log2", $0) }),
        "exp": Unary(apply: { Foundation.exp($0) }, domainError: noLimit),
        "floor": Unary(apply: { $0.rounded(.down) }, domainError: noLimit),
        "ceil": Unary(apply: { $0.rounded(.up) }, domainError: noLimit),
        // Halves round away from zero: round(2.5) = 3, round(-2.5) = -3.
        "round": Unary(apply: { $0.rounded(.toNearestOrAwayFromZero) }, domainError: noLimit),
    ]

    /// Functions of one or more arguments.
    static let variadic: [String: @Sendable ([Double]) -> Double] = [
        "min": { $0.min() ?? .nan },
        "max": { $0.max() ?? .nan },
    ]

    private static let noLimit: @Sendable (Double) -> String? = { _ in nil }

    private static func unitInterval(_ name: String, _ x: Double) -> String? {
        Swift.abs(x) > 1 ? "\(name) of a number outside [-1, 1]" : nil
    }

    private static func positive(_ name: String, _ x: Double) -> String? {
        x <= 0 ? "\(name) of a number that is not positive" : nil
    }
}
