import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkTools

@Suite struct MathFuzzTests {
    private static let vocabulary = [
        "1", "2.5", "0", "1e3", "9e999", ".", "1e", "pi", "e", "sqrt", "min", "max", "ln", "asin", "exp", "x",
        "(", "(", ")", ")", ",", "+", "-", "*", "/", "%", "^", " ", "$", "é", "\u{0}",
    ]

    @Test func tenThousandRandomTokenStringsNeverCrash() {
        var random = BuiltInToolsRandom(seed: 0x5EED_CA1C)
        let evaluator = MathEvaluator()
        var values = 0
        for _ in 0..<10_000 {
            let count = Int.random(in: 0...40, using: &random)
            let expression = (0..<count).map { _ in Self.vocabulary.randomElement(using: &random) ?? "" }.joined()
            do throws(MathError) {
                let value = try evaluator.evaluate(expression)
                #expect(value.isFinite, "\(expression)")
                values += 1
            } catch {
                if let position = error.position {
                    #expect((1...expression.unicodeScalars.count + 1).contains(position), "\(expression): \(error)")
                }
            }
        }
        // The vocabulary makes some valid expressions, so both paths are exercised.
        #expect(values > 20)
    }

    @Test func randomValidExpressionsAgreeWithDirectArithmetic() throws {
        var random = BuiltInToolsRandom(seed: 42)
        let evaluator = MathEvaluator()
        for _ in 0..<1000 {
            let a = Double(Int.random(in: -50...50, using: &random))
            let b = Double(Int.random(in: 1...50, using: &random))
            let c = Double(Int.random(in: -50...50, using: &random))
            let value = try evaluator.evaluate("\(a) - \(b) * (\(c) + \(a)) / \(b) % 7")
            #expect(value == a - (b * (c + a) / b).truncatingRemainder(dividingBy: 7))
        }
    }
}
