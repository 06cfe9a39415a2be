import Foundation
import NeuroLinkProtocol

/// `$ref`, `allOf`, `anyOf` and `oneOf`.
extension SchemaEvaluation {
    mutating func checkReference(_ keywords: [String: JSONValue], _ value: JSONValue) {
        guard let keyword = keywords["$ref"] else { return }
        guard case .string(let reference) = keyword else {
            reportSchema("'$ref' must be a string")
            return
        }
        guard let target = resolved(reference) else {
            reportSchema(
                "cannot resolve $ref \"\(reference)\"; only pointers into this schema (\"#/$defs/...\") are supported"
            )
            return
        }
        guard !refsAtLocation.contains(reference) else {
            reportSchema("$ref \"\(reference)\" leads back to itself without descending into the value")
            return
        }
        refsAtLocation.append(reference)
        evaluate(value, against: target)
        refsAtLocation.removeLast()
    }

    /// `reference`'s target, resolved once per validation: recursive schemas follow the same
    /// `$ref` at every level of the value.
    private mutating func resolved(_ reference: String) -> JSONValue? {
        if let cached = references[reference] { return cached }
        let target = resolve(reference)
        references[reference] = .some(target)
        return target
    }

    /// Follows a JSON Pointer fragment (`#`, `#/$defs/name`) from the root schema.
    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#"), let fragment = String(reference.dropFirst()).removingPercentEncoding else {
            return nil
        }
        if fragment.isEmpty { return rootSchema }
        guard fragment.hasPrefix("/") else { return nil }
        var node = rootSchema
        for rawToken in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            // RFC 6901 §4: `~1` before `~0`, so `~01` means `~1` literally.
            let token = rawToken.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch node {
            case .object(let members):
                guard let next = members[token] else { return nil }
                node = next
            case .array(let elements):
                guard let index = Int(token), elements.indices.contains(index) else { return nil }
                node = elements[index]
            default:
                return nil
            }
        }
        return node
    }

    mutating func checkComposition(_ keywords: [String: JSONValue], _ value: JSONValue) {
        if let schemas = schemaList("allOf", keywords) {
            for schema in schemas { evaluate(value, against: schema) }
        }
        if let schemas = schemaList("anyOf", keywords) {
            var failures: [[SchemaViolation]] = []
            for schema in schemas {
                let found = branch(value, schema)
                if found.isEmpty { break }
                failures.append(found)
            }
            if failures.count == schemas.count {
                report("does not match any alternative in anyOf (\(summary(of: failures)))")
            }
        }
        if let schemas = schemaList("oneOf", keywords) {
            var matches: [Int] = []
            var failures: [[SchemaViolation]] = []
            for (index, schema) in schemas.enumerated() {
                let found = branch(value, schema)
                if found.isEmpty { matches.append(index + 1) } else { failures.append(found) }
            }
            if matches.isEmpty {
                report("does not match any alternative in oneOf (\(summary(of: failures)))")
            } else if matches.count > 1 {
                let list = matches.map(String.init).joined(separator: ", ")
                report("matches alternatives \(list) of oneOf; exactly one must match")
            }
        }
    }

    /// One alternative's violations. Schema errors found inside it are still reported: a broken
    /// alternative is the caller's to fix, whichever alternative the value ends up matching.
    private mutating func branch(_ value: JSONValue, _ schema: JSONValue) -> [SchemaViolation] {
        let found = isolatedViolations(of: value, against: schema)
        violations += found.filter { $0.kind == .invalidSchema }
        return found
    }

    private mutating func schemaList(_ name: String, _ keywords: [String: JSONValue]) -> [JSONValue]? {
        guard let keyword = keywords[name] else { return nil }
        guard case .array(let schemas) = keyword, !schemas.isEmpty else {
            reportSchema("'\(name)' must be a non-empty array of schemas")
            return nil
        }
        return schemas
    }

    /// The first problem with each alternative, so a model can see why none fit.
    private func summary(of failures: [[SchemaViolation]]) -> String {
        failures.enumerated().map { index, found in
            "alternative \(index + 1): " + (found.first.map(\.description) ?? "no match")
        }.joined(separator: "; ")
    }
}
