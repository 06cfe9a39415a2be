import Foundation
import NeuroLinkProtocol

/// Validates a ``JSONValue`` against the subset of JSON Schema used for LLM structured output.
///
/// Keywords understood: `type` (a name or an array of names; `integer` accepts any number with
/// no fractional part), `properties`, `required`, `additionalProperties` (boolean or schema),
/// `items` (a schema, or an array of schemas applied by position), `minItems`, `maxItems`,
/// `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers, or
/// draft-4 booleans), `minLength`, `maxLength` (counted in Unicode code points), `pattern`
/// (an `NSRegularExpression`, matched anywhere in the string), `allOf`, `anyOf`, `oneOf`, and
/// `$ref` to a JSON Pointer within the schema (`#/$defs/...`, `#/definitions/...`, `#`).
/// Boolean schemas (`true`, `false`) are accepted. Other keywords, `nullable` among them,
/// are ignored. As in draft 2020-12, keywords next to `$ref` apply too.
///
/// Schemas come from callers, so a malformed schema never traps: each problem is reported as a
/// violation of kind ``SchemaViolation/Kind/invalidSchema`` and the rest is still checked.
///
/// ## Termination and cost
/// A `$ref` that leads back to itself without descending into the value (`{"$ref": "#"}`) is
/// reported as a schema error. Evaluation is also bounded by ``maximumDepth`` nested evaluations
/// and ``evaluationBudget`` evaluations in total, which stops schemas whose `allOf`/`$ref` fan-out
/// is exponential. Otherwise the cost is O(value nodes × schema keywords that apply to them),
/// times the number of alternatives tried by `anyOf`/`oneOf`. Regular expressions are compiled
/// once per validation, and all their matches together may take ``patternBudget`` × 10,000
/// matching steps, which stops patterns that backtrack catastrophically.
public struct SchemaValidator: Sendable {
    /// How deeply evaluations may nest (roughly, value depth plus `$ref`/`allOf` indirection).
    public static let maximumDepth = 128
    /// How many subschema evaluations one validation may perform.
    public static let evaluationBudget = 1_000_000
    /// How many of ICU's progress reports (one per 10,000 steps of a match) the `pattern` matches of
    /// one validation may take in all: about 2 million steps, well under a second.
    public static let patternBudget = 200

    /// Checks `value` against `schema`.
    ///
    /// - Returns: Every violation found, in a stable order; an empty array means `value` is valid.
    public static func validate(_ value: JSONValue, against schema: JSONValue) -> [SchemaViolation] {
        var evaluation = SchemaEvaluation(rootSchema: schema)
        evaluation.evaluate(value, against: schema)
        return evaluation.violations + (evaluation.limitViolation.map { [$0] } ?? [])
    }
}

/// The state of one validation: where in the value it is, and what it found.
struct SchemaEvaluation {
    enum CompiledPattern {
        case valid(NSRegularExpression)
        case invalid(String)
    }

    let rootSchema: JSONValue
    /// The JSON Pointer tokens of the value being checked.
    var path: [String] = []
    var violations: [SchemaViolation] = []
    var patterns: [String: CompiledPattern] = [:]
    /// Resolved `$ref` targets; `nil` inside records a reference that does not resolve.
    var references: [String: JSONValue?] = [:]
    /// The `$ref`s followed since the evaluation last descended into the value; seeing one twice
    /// means the schema would recurse forever on this value.
    var refsAtLocation: [String] = []
    var depth = 0
    var remainingBudget = SchemaValidator.evaluationBudget
    var remainingPatternBudget = SchemaValidator.patternBudget
    /// Set once a limit is hit; evaluation then stops rather than reporting it at every node. Kept
    /// apart from `violations` so an `anyOf` branch that hit the limit cannot swallow it.
    var limitViolation: SchemaViolation?

    init(rootSchema: JSONValue) {
        self.rootSchema = rootSchema
    }

    mutating func evaluate(_ value: JSONValue, against schema: JSONValue) {
        guard limitViolation == nil else { return }
        remainingBudget -= 1
        guard remainingBudget >= 0 else {
            let message =
                "validation stopped after \(SchemaValidator.evaluationBudget) subschema evaluations; "
                + "the schema is too expensive to apply"
            limitViolation = SchemaViolation(path: pointer, message: message, kind: .invalidSchema)
            return
        }
        guard depth < SchemaValidator.maximumDepth else {
            let message = "nested too deeply to validate (more than \(SchemaValidator.maximumDepth) levels)"
            limitViolation = SchemaViolation(path: pointer, message: message)
            return
        }
        depth += 1
        defer { depth -= 1 }
        switch schema {
        case .bool(true):
            return
        case .bool(false):
            report("no value is allowed here")
        case .object(let keywords):
            apply(keywords, to: value)
        default:
            reportSchema("a schema must be an object or a boolean, found \(schema.typeName)")
        }
    }

    private mutating func apply(_ keywords: [String: JSONValue], to value: JSONValue) {
        checkReference(keywords, value)
        checkType(keywords, value)
        checkEnumAndConst(keywords, value)
        switch value {
        case .number(let number): checkNumber(keywords, number)
        case .string(let string): checkString(keywords, string)
        case .array(let elements): checkArray(keywords, elements)
        case .object(let members): checkObject(keywords, members)
        case .null, .bool: break
        }
        checkComposition(keywords, value)
    }

    /// Evaluates a part of the value (an element or a member) at `path + component`.
    mutating func descend(into component: String, _ value: JSONValue, against schema: JSONValue) {
        // Consuming part of the value guarantees progress, so the `$ref` cycle check starts afresh.
        let savedRefs = refsAtLocation
        refsAtLocation = []
        path.append(component)
        evaluate(value, against: schema)
        path.removeLast()
        refsAtLocation = savedRefs
    }

    /// The violations `value` has against `schema`, without recording them (for `anyOf`/`oneOf`).
    mutating func isolatedViolations(of value: JSONValue, against schema: JSONValue) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        swap(&found, &violations)
        evaluate(value, against: schema)
        swap(&found, &violations)
        return found
    }

    mutating func report(_ message: String) {
        violations.append(SchemaViolation(path: pointer, message: message))
    }

    mutating func reportSchema(_ message: String) {
        violations.append(SchemaViolation(path: pointer, message: message, kind: .invalidSchema))
    }

    /// Reports `message` at the member or element `component` of the current value.
    mutating func report(_ message: String, at component: String) {
        path.append(component)
        report(message)
        path.removeLast()
    }

    /// The current location as a JSON Pointer.
    var pointer: String {
        path.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }
            .joined()
    }
}
