import Foundation
import NeuroLinkCore
import NeuroLinkProtocol
import Testing

/// One validation: a schema, a value, and the violations expected, as `(path, message fragment)`
/// pairs in order. No pairs means the value is valid.
struct SchemaCase: Sendable, CustomTestStringConvertible {
    var schema: String
    var value: String
    var expected: [(path: String, fragment: String)]
    var kind: SchemaViolation.Kind
    var testDescription: String { "\(schema) ∋ \(value)" }

    static func valid(_ schema: String, _ value: String) -> SchemaCase {
        SchemaCase(schema: schema, value: value, expected: [], kind: .invalidValue)
    }

    static func invalid(
        _ schema: String,
        _ value: String,
        _ expected: (path: String, fragment: String)...
    ) -> SchemaCase {
        SchemaCase(schema: schema, value: value, expected: expected, kind: .invalidValue)
    }

    /// The schema itself is at fault; one violation of kind `invalidSchema` is expected.
    static func badSchema(_ schema: String, _ value: String, _ fragment: String, at path: String = "") -> SchemaCase {
        SchemaCase(schema: schema, value: value, expected: [(path, fragment)], kind: .invalidSchema)
    }
}

private func validate(_ value: String, against schema: String) throws -> [SchemaViolation] {
    try SchemaValidator.validate(StructuredOutputFixtures.parse(value), against: StructuredOutputFixtures.parse(schema))
}

private let keywordCases: [SchemaCase] = [
    // type
    .valid(#"{"type": "string"}"#, #""a""#),
    .invalid(#"{"type": "string"}"#, "1", ("", "expected string, found number 1")),
    .valid(#"{"type": "integer"}"#, "3"),
    .valid(#"{"type": "integer"}"#, "3.0"),
    .invalid(#"{"type": "integer"}"#, "3.5", ("", "expected integer, found number 3.5")),
    .valid(#"{"type": "number"}"#, "3"),
    .invalid(#"{"type": "number"}"#, #""3""#, ("", "expected number, found string \"3\"")),
    .valid(#"{"type": ["string", "null"]}"#, "null"),
    .invalid(#"{"type": ["string", "null"]}"#, "1", ("", "expected string or null")),
    .valid(#"{"type": "boolean"}"#, "false"),
    .invalid(#"{"type": "boolean"}"#, #""true""#, ("", "expected boolean")),
    .valid(#"{"type": "object"}"#, "{}"),
    .invalid(#"{"type": "object"}"#, "[]", ("", "expected object, found array of 0 items")),
    .valid(#"{"type": "array"}"#, "[]"),
    .valid(#"{"type": "null"}"#, "null"),
    .badSchema(#"{"type": "bogus"}"#, "1", "unknown type \"bogus\""),
    .badSchema(#"{"type": 5}"#, "1", "'type' must be"),
    .badSchema(#"{"type": []}"#, "1", "'type' must be"),
    // properties
    .valid(#"{"properties": {"a": {"type": "string"}}}"#, #"{"a": "x"}"#),
    .valid(#"{"properties": {"a": {"type": "string"}}}"#, "{}"),
    .valid(#"{"properties": {"a": {"type": "string"}}}"#, #""not an object""#),
    .invalid(#"{"properties": {"a": {"type": "string"}}}"#, #"{"a": 1}"#, ("/a", "expected string")),
    .badSchema(#"{"properties": []}"#, "{}", "'properties' must be an object"),
    // required
    .valid(#"{"required": ["a", "b"]}"#, #"{"a": 1, "b": null}"#),
    .invalid(#"{"required": ["a", "b"]}"#, #"{"a": 1}"#, ("", "missing required property \"b\"")),
    .invalid(#"{"required": ["a", "b"]}"#, "{}", ("", "\"a\""), ("", "\"b\"")),
    .valid(#"{"required": ["a"]}"#, "[]"),
    .badSchema(#"{"required": "a"}"#, "{}", "'required' must be"),
    // additionalProperties
    .valid(#"{"properties": {"a": {}}, "additionalProperties": false}"#, #"{"a": 1}"#),
    .invalid(
        #"{"properties": {"a": {}}, "additionalProperties": false}"#,
        #"{"a": 1, "c": 2, "b": 3}"#,
        ("/b", "property \"b\" is not allowed"),
        ("/c", "property \"c\" is not allowed")
    ),
    .valid(#"{"additionalProperties": {"type": "number"}}"#, #"{"x": 1}"#),
    .invalid(#"{"additionalProperties": {"type": "number"}}"#, #"{"x": "s"}"#, ("/x", "expected number")),
    .valid(#"{"additionalProperties": true}"#, #"{"x": "s"}"#),
    .badSchema(#"{"additionalProperties": 1}"#, "{}", "'additionalProperties' must be"),
    // items
    .valid(#"{"items": {"type": "integer"}}"#, "[1, 2]"),
    .invalid(
        #"{"items": {"type": "integer"}}"#,
        #"[1, "a", 3.5]"#,
        ("/1", "expected integer"),
        ("/2", "expected integer")
    ),
    .valid(#"{"items": [{"type": "string"}, {"type": "number"}]}"#, #"["a", 1, true]"#),
    .invalid(#"{"items": [{"type": "string"}, {"type": "number"}]}"#, "[1]", ("/0", "expected string")),
    .invalid(#"{"items": false}"#, "[1]", ("/0", "no value is allowed")),
    // minItems / maxItems
    .valid(#"{"minItems": 2}"#, "[1, 2]"),
    .invalid(#"{"minItems": 2}"#, "[1]", ("", "at least 2 items, found 1")),
    .valid(#"{"maxItems": 1}"#, "[1]"),
    .invalid(#"{"maxItems": 1}"#, "[1, 2]", ("", "at most 1 items, found 2")),
    .badSchema(#"{"minItems": -1}"#, "[]", "'minItems' must be a non-negative integer"),
    .badSchema(#"{"maxItems": 1.5}"#, "[]", "'maxItems' must be a non-negative integer"),
    // enum / const
    .valid(#"{"enum": ["a", "b", 1]}"#, #""b""#),
    .valid(#"{"enum": ["a", "b", 1]}"#, "1.0"),
    .invalid(#"{"enum": ["a", "b", 1]}"#, #""c""#, ("", #"must be one of ["a","b",1], found "c""#)),
    .valid(#"{"enum": [{"x": [1, null]}]}"#, #"{"x": [1, null]}"#),
    .badSchema(#"{"enum": "a"}"#, #""a""#, "'enum' must be an array"),
    .valid(#"{"const": {"a": 1}}"#, #"{"a": 1}"#),
    .invalid(#"{"const": {"a": 1}}"#, #"{"a": 2}"#, ("", #"must be {"a":1}, found {"a":2}"#)),
    .invalid(#"{"const": null}"#, "false", ("", "must be null")),
    // numeric bounds
    .valid(#"{"minimum": 0}"#, "0"),
    .invalid(#"{"minimum": 0}"#, "-1", ("", "must be >= 0, found -1")),
    .valid(#"{"minimum": 0}"#, #""not a number""#),
    .valid(#"{"maximum": 10}"#, "10"),
    .invalid(#"{"maximum": 10}"#, "10.5", ("", "must be <= 10, found 10.5")),
    .valid(#"{"exclusiveMinimum": 0}"#, "0.1"),
    .invalid(#"{"exclusiveMinimum": 0}"#, "0", ("", "must be > 0")),
    .valid(#"{"exclusiveMaximum": 1}"#, "0.9"),
    .invalid(#"{"exclusiveMaximum": 1}"#, "1", ("", "must be < 1")),
    .invalid(#"{"minimum": 0, "exclusiveMinimum": true}"#, "0", ("", "must be > 0")),
    .invalid(#"{"maximum": 5, "exclusiveMaximum": true}"#, "5", ("", "must be < 5")),
    .valid(#"{"minimum": 0, "exclusiveMinimum": false}"#, "0"),
    .badSchema(#"{"minimum": "0"}"#, "1", "'minimum' must be a number"),
    // string length, counted in code points
    .valid(#"{"minLength": 2}"#, #""ab""#),
    .invalid(#"{"minLength": 2}"#, #""a""#, ("", "at least 2 characters long, found 1")),
    .valid(#"{"minLength": 2, "maxLength": 2}"#, #""é😀""#),
    .valid(#"{"maxLength": 3}"#, #""日本語""#),
    .invalid(#"{"maxLength": 3}"#, #""abcd""#, ("", "at most 3 characters long, found 4")),
    .badSchema(#"{"minLength": "3"}"#, #""abc""#, "'minLength' must be a non-negative integer"),
    // pattern
    .valid(#"{"pattern": "^[a-z]+$"}"#, #""abc""#),
    .invalid(#"{"pattern": "^[a-z]+$"}"#, #""Abc""#, ("", #"must match the pattern "^[a-z]+$", found "Abc""#)),
    .valid(#"{"pattern": "b"}"#, #""abc""#),
    .valid(#"{"pattern": "^\\d{3}-\\d{4}$"}"#, #""555-1234""#),
    .valid(#"{"pattern": "(unclosed"}"#, "42"),
    .badSchema(#"{"pattern": "(unclosed"}"#, #""x""#, "is not a valid regular expression"),
    .badSchema(#"{"pattern": 1}"#, #""x""#, "'pattern' must be a string"),
    // composition
    .valid(#"{"anyOf": [{"type": "string"}, {"type": "number"}]}"#, "1"),
    .invalid(
        #"{"anyOf": [{"type": "string"}, {"type": "number"}]}"#,
        "null",
        ("", "does not match any alternative in anyOf (alternative 1: (root): expected string")
    ),
    .valid(#"{"oneOf": [{"type": "integer"}, {"type": "number"}]}"#, "1.5"),
    .invalid(
        #"{"oneOf": [{"type": "integer"}, {"type": "number"}]}"#,
        "1",
        ("", "matches alternatives 1, 2 of oneOf")
    ),
    .invalid(#"{"oneOf": [{"type": "integer"}, {"type": "number"}]}"#, #""x""#, ("", "does not match any alternative")),
    .valid(#"{"allOf": [{"minimum": 0}, {"maximum": 5}]}"#, "3"),
    .invalid(#"{"allOf": [{"minimum": 0}, {"maximum": 5}]}"#, "7", ("", "must be <= 5")),
    .badSchema(#"{"anyOf": []}"#, "1", "'anyOf' must be a non-empty array"),
    .badSchema(#"{"anyOf": [{"type": "nope"}, {"type": "number"}]}"#, "1", "unknown type"),
    // $ref
    .valid(
        ##"{"$defs": {"name": {"type": "string"}}, "properties": {"n": {"$ref": "#/$defs/name"}}}"##,
        ##"{"n": "x"}"##
    ),
    .invalid(
        ##"{"$defs": {"name": {"type": "string"}}, "properties": {"n": {"$ref": "#/$defs/name"}}}"##,
        ##"{"n": 1}"##,
        ("/n", "expected string")
    ),
    .invalid(
        ##"{"definitions": {"pos": {"minimum": 1}}, "items": {"$ref": "#/definitions/pos"}}"##,
        "[1, 0]",
        ("/1", "must be >= 1")
    ),
    .invalid(##"{"$defs": {"a/b": {"type": "string"}}, "$ref": "#/$defs/a~1b"}"##, "1", ("", "expected string")),
    .invalid(##"{"$defs": {"s p": {"type": "string"}}, "$ref": "#/$defs/s%20p"}"##, "1", ("", "expected string")),
    .invalid(
        ##"{"$ref": "#/$defs/x", "maxLength": 1, "$defs": {"x": {"type": "string"}}}"##,
        #""ab""#,
        ("", "at most 1")
    ),
    .badSchema(##"{"$ref": "#/$defs/missing"}"##, "1", "cannot resolve $ref \"#/$defs/missing\""),
    .badSchema(#"{"$ref": "https://example.com/s.json"}"#, "1", "cannot resolve $ref"),
    .badSchema(#"{"$ref": 1}"#, "1", "'$ref' must be a string"),
    // ignored and boolean schemas
    .invalid(#"{"type": "string", "nullable": true}"#, "null", ("", "expected string")),
    .valid(#"{"description": "x", "format": "email", "x-custom": 1, "title": "t"}"#, #"{"anything": [1]}"#),
    .valid("true", "[1]"),
    .invalid("false", "[1]", ("", "no value is allowed here")),
    .invalid(#"{"properties": {"a": false}}"#, #"{"a": 1}"#, ("/a", "no value is allowed")),
    .badSchema("5", "1", "a schema must be an object or a boolean"),
]

@Suite struct SchemaValidatorTests {
    @Test(arguments: keywordCases)
    func keyword(_ testCase: SchemaCase) throws {
        let violations = try validate(testCase.value, against: testCase.schema)
        #expect(violations.count == testCase.expected.count, "\(violations)")
        for (violation, expected) in zip(violations, testCase.expected) {
            #expect(violation.path == expected.path, "\(violation)")
            #expect(violation.message.contains(expected.fragment), "\(violation)")
            #expect(violation.kind == testCase.kind, "\(violation)")
        }
    }

    @Test func nestedPathsAreJSONPointers() throws {
        let schema = #"""
            {
              "type": "object",
              "properties": {
                "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
                "a/b": {"type": "string"},
                "m~n": {"type": "string"}
              },
              "$defs": {
                "item": {
                  "type": "object",
                  "required": ["name"],
                  "properties": {
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string", "minLength": 1}}
                  }
                }
              }
            }
            """#
        let value = #"{"items": [{"name": 1}, {"tags": ["", "ok"]}], "a/b": 1, "m~n": 2}"#
        let violations = try validate(value, against: schema)
        #expect(violations.map(\.path) == ["/a~1b", "/items/0/name", "/items/1/tags/0", "/items/1", "/m~0n"])
        #expect(violations.map(\.description).last == "/m~0n: expected string, found number 2")
        #expect(violations.allSatisfy { $0.kind == .invalidValue })
    }

    @Test func recursiveSchemasFollowTheValue() throws {
        let tree = #"""
            {
              "$ref": "#/$defs/node",
              "$defs": {
                "node": {
                  "type": "object",
                  "required": ["value"],
                  "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}
                  },
                  "additionalProperties": false
                }
              }
            }
            """#
        let valid = #"{"value": 1, "children": [{"value": 2, "children": [{"value": 3}, {"value": 4}]}]}"#
        #expect(try validate(valid, against: tree).isEmpty)
        let invalid = #"{"value": 1, "children": [{"value": 2, "children": [{"value": 3}, {"value": "4"}]}]}"#
        let violations = try validate(invalid, against: tree)
        #expect(violations.map(\.path) == ["/children/0/children/1/value"])
    }

    @Test(arguments: [
        ##"{"$ref": "#"}"##,
        ##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##,
        ##"{"anyOf": [{"type": "string"}, {"$ref": "#"}]}"##,
        ##"{"$defs": {"x": {"allOf": [{"$ref": "#/$defs/x"}, {"$ref": "#/$defs/x"}]}}, "$ref": "#/$defs/x"}"##,
        ##"{"properties": {"a": {"$ref": "#/properties/a"}}}"##,
    ])
    func selfReferenceIsASchemaErrorNotAHang(_ schema: String) throws {
        let violations = try validate(#"{"a": 1}"#, against: schema)
        #expect(!violations.isEmpty)
        #expect(violations.contains { $0.kind == .invalidSchema && $0.message.contains("leads back to itself") })
    }

    @Test func exponentialSchemaIsStoppedByTheBudget() throws {
        // d0 -> 2 × d1 -> 4 × d2 ... 2^40 evaluations without a limit.
        var definitions: [String] = []
        for level in 0..<40 {
            let next = ##"{"$ref": "#/$defs/d\##(level + 1)"}"##
            definitions.append(#""d\#(level)": {"allOf": [\#(next), \#(next)]}"#)
        }
        definitions.append(#""d40": {"type": "number"}"#)
        let schema = ##"{"$ref": "#/$defs/d0", "$defs": {\##(definitions.joined(separator: ", "))}}"##
        let violations = try validate("1", against: schema)
        #expect(violations.count == 1)
        #expect(violations.first?.kind == .invalidSchema)
        #expect(violations.first?.message.contains("too expensive") == true)
    }

    /// A client's `pattern` that backtracks catastrophically used to run for as long as the
    /// string made it (seconds at 24 characters, doubling with each one), blocking a concurrency
    /// thread at the end of the stream; the pattern budget stops it.
    @Test func catastrophicBacktrackingIsStoppedByThePatternBudget() throws {
        let text = String(repeating: "a", count: 24) + "!"
        let violations = try validate(#"["aa", "\#(text)"]"#, against: #"{"items": {"pattern": "^(a+)+$"}}"#)
        #expect(violations.count == 1)
        #expect(violations.first?.kind == .invalidSchema)
        #expect(violations.first?.path == "/1")
        #expect(violations.first?.message.contains("backtracks too much") == true)
        // Patterns that match in a few steps are not affected, however many strings they check.
        let many = "[" + Array(repeating: #""aaaaaaaaaaaaaaaaaaaaaaaa""#, count: 2000).joined(separator: ",") + "]"
        #expect(try validate(many, against: #"{"items": {"pattern": "^(a+)+$"}}"#).isEmpty)
    }

    @Test func deepValuesHitTheDepthLimit() throws {
        let schema = ##"{"type": "array", "items": {"$ref": "#"}}"##
        let shallow = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        #expect(try validate(shallow, against: schema).isEmpty)
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let violations = try validate(deep, against: schema)
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains("nested too deeply") == true)
    }

    @Test func brokenPartsOfASchemaDoNotHideValueErrors() throws {
        let schema = #"{"properties": {"a": {"pattern": "["}, "b": {"type": "integer"}}}"#
        let violations = try validate(#"{"a": "x", "b": "y"}"#, against: schema)
        #expect(violations.map(\.kind) == [.invalidSchema, .invalidValue])
        #expect(violations.map(\.path) == ["/a", "/b"])
    }

    @Test func longValuesAreTruncatedInMessages() throws {
        let long = String(repeating: "x", count: 500)
        let violations = try validate(#""\#(long)""#, against: #"{"enum": ["a"]}"#)
        #expect(violations.count == 1)
        #expect((violations.first?.message.count ?? 0) < 200)
        #expect(violations.first?.message.hasSuffix("…") == true)
    }
}
