/// `calculateMath`: evaluates an arithmetic expression over `Double`. A parser written for the
/// purpose, so nothing in the expression is ever executed as code.
///
/// Arguments: `expression` (string, required, at most 1,000 characters).
///
/// Result: the value as plain text: `512`, `0.30000000000000004`, `1e+20`. Integers within ±2^53
/// have no fractional part; anything else is the shortest text that reads back exactly.
///
/// Rules: `+ - * / % ^`, parentheses, leading `-`/`+`; `^` binds tighter than a leading sign
/// (`-2^2` = -4) and groups to the right (`2^3^2` = 512); `%` is the remainder with the sign of the
/// dividend. Literals are decimal with an optional exponent (`1.5e-3`, `.5`). Names, in any case:
/// the constants `pi` and `e`; `sqrt abs sin cos tan asin acos atan ln log10 log2 exp floor ceil
/// round` of one argument (angles in radians; `round` takes halves away from zero); `min` and `max`
/// of one or more.
public struct CalculateMathTool: BuiltInTool {
    public let name = "calculateMath"
    public let description = """
        Evaluates an arithmetic expression exactly as a calculator would, in double precision. \
        Operators: + - * / % ^ (power, right-associative, binds tighter than a leading minus: -2^2 = -4), \
        parentheses. Constants: pi, e. Functions: sqrt abs sin cos tan asin acos atan (radians), ln log10 log2 \
        exp floor ceil round, min and max (one or more arguments). No implicit multiplication: write 2*pi.
        """
    public let parametersSchema = #"""
        {
          "type": "object",
          "properties": {
            "expression": {
              "type": "string",
              "maxLength": 1000,
              "description": "The expression, e.g. \"sqrt(2) * (3 + 4)^2 / 5\"."
            }
          },
          "required": ["expression"],
          "additionalProperties": false
        }
        """#

    private let evaluator = MathEvaluator()

    /// A calculator with the default limits: 1,000 characters, 500 tokens, 64 levels of nesting.
    public init() {}

    public func execute(argumentsJSON: String) async throws(ToolError) -> String {
        let arguments = try BuiltInArguments(json: argumentsJSON, accepted: ["expression"])
        let expression = try arguments.requiredString("expression")
        do throws(MathError) {
            return MathEvaluator.format(try evaluator.evaluate(expression))
        } catch {
            throw ToolError(error.description + ".")
        }
    }
}
