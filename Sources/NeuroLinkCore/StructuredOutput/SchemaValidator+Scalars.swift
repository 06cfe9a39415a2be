import Foundation
import NeuroLinkProtocol

/// `type`, `enum`, `const`, and the keywords for numbers and strings.
extension SchemaEvaluation {
    private static let typeNames: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]

    mutating func checkType(_ keywords: [String: JSONValue], _ value: JSONValue) {
        guard let keyword = keywords["type"] else { return }
        let names: [String]
        switch keyword {
        case .string(let name):
            names = [name]
        case .array(let entries) where !entries.isEmpty && entries.allSatisfy({ $0.stringValue != nil }):
            names = entries.compactMap(\.stringValue)
        default:
            reportSchema("'type' must be a type name or a non-empty array of type names")
            return
        }
        if let unknown = names.first(where: { !Self.typeNames.contains($0) }) {
            reportSchema("unknown type \"\(unknown)\" in 'type'")
            return
        }
        guard !names.contains(where: { Self.value(value, hasType: $0) }) else { return }
        report("expected \(names.joined(separator: " or ")), found \(SchemaText.describe(value))")
    }

    private static func value(_ value: JSONValue, hasType name: String) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array),
            ("object", .object):
            true
        // JSON does not tell 1 from 1.0, so any number without a fractional part is an integer.
        case ("integer", .number(let number)): number.isFinite && number.rounded(.towardZero) == number
        default: false
        }
    }

    mutating func checkEnumAndConst(_ keywords: [String: JSONValue], _ value: JSONValue) {
        if let keyword = keywords["enum"] {
            if case .array(let options) = keyword {
                if !options.contains(value) {
                    report("must be one of \(SchemaText.render(keyword)), found \(SchemaText.render(value))")
                }
            } else {
                reportSchema("'enum' must be an array")
            }
        }
        if let expected = keywords["const"], expected != value {
            report("must be \(SchemaText.render(expected)), found \(SchemaText.render(value))")
        }
    }

    mutating func checkNumber(_ keywords: [String: JSONValue], _ number: Double) {
        // Draft 4 spelled exclusive bounds as booleans modifying `minimum`/`maximum`.
        let exclusiveMinimumFlag = keywords["exclusiveMinimum"] == .bool(true)
        let exclusiveMaximumFlag = keywords["exclusiveMaximum"] == .bool(true)
        let found = SchemaText.format(number)
        if let bound = numberKeyword("minimum", keywords) {
            if exclusiveMinimumFlag ? number <= bound : number < bound {
                report("must be \(exclusiveMinimumFlag ? ">" : ">=") \(SchemaText.format(bound)), found \(found)")
            }
        }
        if let bound = numberKeyword("maximum", keywords) {
            if exclusiveMaximumFlag ? number >= bound : number > bound {
                report("must be \(exclusiveMaximumFlag ? "<" : "<=") \(SchemaText.format(bound)), found \(found)")
            }
        }
        if let bound = numberKeyword("exclusiveMinimum", keywords, allowingBoolean: true), number <= bound {
            report("must be > \(SchemaText.format(bound)), found \(found)")
        }
        if let bound = numberKeyword("exclusiveMaximum", keywords, allowingBoolean: true), number >= bound {
            report("must be < \(SchemaText.format(bound)), found \(found)")
        }
    }

    mutating func checkString(_ keywords: [String: JSONValue], _ string: String) {
        // JSON Schema counts characters as code points, not grapheme clusters or UTF-16 units.
        let length = string.unicodeScalars.count
        if let minimum = countKeyword("minLength", keywords), length < minimum {
            report("must be at least \(minimum) characters long, found \(length)")
        }
        if let maximum = countKeyword("maxLength", keywords), length > maximum {
            report("must be at most \(maximum) characters long, found \(length)")
        }
        guard let keyword = keywords["pattern"] else { return }
        guard case .string(let pattern) = keyword else {
            reportSchema("'pattern' must be a string")
            return
        }
        switch compiled(pattern) {
        case .invalid(let reason):
            reportSchema("'pattern' \(SchemaText.render(keyword)) is not a valid regular expression: \(reason)")
        case .valid(let regex):
            guard let matched = matches(regex, string) else {
                let message =
                    "validation stopped: the pattern \(SchemaText.render(keyword)) backtracks too much to apply "
                    + "(more than \(SchemaValidator.patternBudget) × 10,000 matching steps)"
                limitViolation = SchemaViolation(path: pointer, message: message, kind: .invalidSchema)
                return
            }
            if !matched {
                let found = SchemaText.render(.string(string))
                report("must match the pattern \(SchemaText.render(keyword)), found \(found)")
            }
        }
    }

    /// Whether `regex` matches anywhere in `string`; `nil` once the validation's pattern budget is
    /// spent. ICU reports progress every 10,000 steps of a match, and each report costs one unit, so
    /// a pattern that backtracks catastrophically (`^(a+)+$`) stops instead of running for hours.
    private mutating func matches(_ regex: NSRegularExpression, _ string: String) -> Bool? {
        var matched = false
        var budget = remainingPatternBudget
        let range = NSRange(string.startIndex..<string.endIndex, in: string)
        regex.enumerateMatches(in: string, options: .reportProgress, range: range) { result, flags, stop in
            if result != nil {
                matched = true
                stop.pointee = true
            } else if flags.contains(.progress) {
                budget -= 1
                if budget < 0 { stop.pointee = true }
            }
        }
        remainingPatternBudget = max(budget, 0)
        if matched { return true }
        return budget < 0 ? nil : false
    }

    /// The pattern compiled once per validation, however many strings it is applied to.
    private mutating func compiled(_ pattern: String) -> CompiledPattern {
        if let cached = patterns[pattern] { return cached }
        let result: CompiledPattern
        do {
            result = .valid(try NSRegularExpression(pattern: pattern))
        } catch {
            result = .invalid(String(describing: error))
        }
        patterns[pattern] = result
        return result
    }

    /// A numeric keyword's value; reports a schema error when the keyword has the wrong type.
    private mutating func numberKeyword(
        _ name: String,
        _ keywords: [String: JSONValue],
        allowingBoolean: Bool = false
    ) -> Double? {
        switch keywords[name] {
        case nil: return nil
        case .number(let bound): return bound
        case .bool where allowingBoolean: return nil
        default:
            reportSchema("'\(name)' must be a number")
            return nil
        }
    }

    /// A count keyword's value (`minLength`, `maxItems`...); reports a schema error unless it is a
    /// non-negative integer.
    mutating func countKeyword(_ name: String, _ keywords: [String: JSONValue]) -> Int? {
        guard let keyword = keywords[name] else { return nil }
        guard let count = keyword.intValue, count >= 0 else {
            reportSchema("'\(name)' must be a non-negative integer")
            return nil
        }
        return count
    }
}
