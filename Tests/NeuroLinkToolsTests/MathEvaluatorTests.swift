import Testing

@testable import NeuroLinkTools

@Suite struct MathEvaluatorTests {
    private let evaluator = MathEvaluator()

    private func value(_ expression: String) throws -> Double {
        try evaluator.evaluate(expression)
    }

    private func text(_ expression: String) throws -> String {
        MathEvaluator.format(try evaluator.evaluate(expression))
    }

    private func failure(_ expression: String, evaluator: MathEvaluator = MathEvaluator()) -> MathError? {
        do throws(MathError) {
            _ = try evaluator.evaluate(expression)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("1+2*3", 7.0), ("(1+2)*3", 9), ("10-4-3", 3), ("100/10/5", 2), ("2^3^2", 512), ("-2^2", -4),
        ("(-2)^2", 4), ("2^-1", 0.5), ("-2^-2", -0.25), ("2^3*2", 16), ("2*3^2", 18), ("--3", 3), ("+-+3", -3),
        ("2*-3", -6), ("7%3", 1), ("-7%3", -1), ("7%-3", 1), ("5.5%2", 1.5), ("1.5e3", 1500), (".5", 0.5),
        ("1.", 1), ("1E-2", 0.01), (" 1 +\t2\n", 3),
    ])
    func precedenceAssociativityAndLiterals(expression: String, expected: Double) throws {
        #expect(try value(expression) == expected)
    }

    @Test(arguments: [
        ("sqrt(16)", 4.0), ("abs(-3)", 3), ("sin(0)", 0), ("cos(0)", 1), ("tan(0)", 0), ("asin(1)", Double.pi / 2),
        ("acos(1)", 0), ("atan(1)*4", Double.pi), ("ln(e)", 1), ("log10(1000)", 3), ("log2(1024)", 10),
        ("exp(0)", 1), ("floor(-2.5)", -3), ("ceil(-2.5)", -2), ("round(2.5)", 3), ("round(-2.5)", -3),
        ("min(3, 1, 2)", 1), ("max(3)", 3), ("max(1,2,3,4,5)", 5), ("SQRT(4)", 2), ("PI", Double.pi),
        ("e", 2.718281828459045), ("2*pi", 2 * Double.pi), ("max(min(4, 9), sqrt(4)^2 + 1)", 5),
    ])
    func functionsAndConstants(expression: String, expected: Double) throws {
        #expect(try value(expression) == expected)
    }

    @Test func resultsPrintIntegersPlainlyAndOtherwiseShortest() throws {
        #expect(try text("2^53") == "9007199254740992")
        #expect(try text("-2^53") == "-9007199254740992")
        #expect(try text("2^60") == "1.152921504606847e+18")
        #expect(try text("0.1+0.2") == "0.30000000000000004")
        #expect(try text("1/3") == "0.3333333333333333")
        #expect(try text("-0") == "0")
        #expect(try text("1e20") == "1e+20")
        #expect(try text("1e-5") == "1e-05")
        #expect(try text("6/4") == "1.5")
        #expect(try text("-5") == "-5")
    }

    @Test(arguments: [
        ("1 +", MathError.Kind.syntax, 4), ("2 * (3 + 4", .syntax, 11), ("2 3", .syntax, 3), ("()", .syntax, 2),
        ("foo(1)", .syntax, 1), ("pi(2)", .syntax, 3), ("sqrt 4", .syntax, 6), ("sqrt(1,2)", .syntax, 1),
        ("min()", .syntax, 1), ("2 $ 3", .syntax, 3), ("2 × 3", .syntax, 3), ("1e", .syntax, 2), (".", .syntax, 1),
        ("2 ** 3", .syntax, 4), ("__import__('os')", .syntax, 12), ("__import__(1)", .syntax, 1),
        ("1/0 + )", .syntax, 7), ("max(1,)", .syntax, 7),
        ("1 / 0", .divisionByZero, 3), ("5 % 0", .divisionByZero, 3), ("sqrt(-1)", .domain, 1), ("ln(0)", .domain, 1),
        ("log10(-1)", .domain, 1), ("log2(0)", .domain, 1), ("asin(2)", .domain, 1), ("acos(-1.5)", .domain, 1),
        ("(-8)^(1/3)", .domain, 5), ("10^400", .overflow, 3), ("exp(1000)", .overflow, 1), ("0^-1", .overflow, 2),
        ("1e308*10", .overflow, 6), ("1e400", .overflow, 1), ("1 + 1/0 + sqrt(-1)", .divisionByZero, 6),
    ])
    func errorsSayWhatAndWhere(expression: String, kind: MathError.Kind, position: Int) {
        let error = failure(expression)
        #expect(error?.kind == kind, "\(expression): \(String(describing: error))")
        #expect(error?.position == position, "\(expression): \(String(describing: error))")
    }

    @Test func messagesNameTheProblem() {
        #expect(failure("2 × 3")?.description == "Syntax error: unexpected character '×' at position 3")
        #expect(failure("1 / 0")?.description == "Division by zero at position 3")
        #expect(failure("sqrt(-4)")?.description == "Domain error: sqrt of a negative number at position 1")
        #expect(failure("ln(-1)")?.description == "Domain error: ln of a number that is not positive at position 1")
        #expect(failure("wat")?.description == "Syntax error: unknown name 'wat' at position 1")
        #expect(
            failure("(1")?.description
                == "Syntax error: expected ')' to close the '(' at position 1 but found end of expression at position 3"
        )
    }

    @Test func nestingIsCappedAt64Levels() {
        let deepest = String(repeating: "(", count: 64) + "1" + String(repeating: ")", count: 64)
        #expect(failure(deepest) == nil)
        let tooDeep = String(repeating: "(", count: 65) + "1" + String(repeating: ")", count: 65)
        #expect(failure(tooDeep)?.kind == .tooDeep)
        #expect(failure(tooDeep)?.position == 65)
        #expect(failure(String(repeating: "-", count: 65) + "1")?.kind == .tooDeep)
        #expect(failure(Array(repeating: "2", count: 66).joined(separator: "^"))?.kind == .tooDeep)
        #expect(
            failure(String(repeating: "sqrt(", count: 65) + "1" + String(repeating: ")", count: 65))?.kind == .tooDeep
        )
    }

    @Test func tenThousandNestedParenthesesAreAnErrorNotACrash() throws {
        let nested = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(failure(nested)?.kind == .tooLong)
        // With the length and token bounds lifted, the depth bound alone stops it.
        let unbounded = MathEvaluator(limits: .init(maxLength: 100_000, maxTokens: 100_000, maxDepth: 64))
        #expect(failure(nested, evaluator: unbounded)?.kind == .tooDeep)
        #expect(failure(String(repeating: "-", count: 10_000) + "1", evaluator: unbounded)?.kind == .tooDeep)
        // A long flat expression needs no depth: its operators are handled in a loop.
        let flat = Array(repeating: "1", count: 20_000).joined(separator: "+")
        #expect(try evaluator(unbounded, flat) == 20_000)
    }

    private func evaluator(_ evaluator: MathEvaluator, _ expression: String) throws -> Double {
        try evaluator.evaluate(expression)
    }

    @Test func longInputAndTooManyTokensAreRefused() {
        #expect(failure("1" + String(repeating: " ", count: 999)) == nil)
        #expect(failure("1" + String(repeating: " ", count: 1000))?.kind == .tooLong)
        // 250 ones and 249 pluses: 499 tokens, under the bound of 500.
        #expect(failure(Array(repeating: "1", count: 250).joined(separator: "+")) == nil)
        let tooMany = failure(Array(repeating: "1", count: 251).joined(separator: "+"))
        #expect(tooMany?.kind == .tooManyTokens)
        #expect(tooMany?.position == 501)
    }
}
