import Foundation
import NeuroLinkCore
import NeuroLinkProtocol
import Testing

/// JSON fixtures for the structured-output tests, parsed by Foundation so that the parser under
/// test is checked against an independent implementation.
enum StructuredOutputFixtures {
    struct NotJSON: Error {}

    static func parse(_ text: String) throws -> JSONValue {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return try convert(object)
    }

    private static func convert(_ object: Any) throws -> JSONValue {
        switch object {
        case is NSNull:
            return .null
        case let string as String:
            return .string(string)
        case let number as NSNumber:
            // Foundation boxes booleans as NSNumber too; their Objective-C type code is "c".
            return String(cString: number.objCType) == "c" ? .bool(number.boolValue) : .number(number.doubleValue)
        case let array as [Any]:
            return .array(try array.map(convert))
        case let dictionary as [String: Any]:
            return .object(try dictionary.mapValues(convert))
        default:
            throw NotJSON()
        }
    }
}

/// Whether `new` could be a later snapshot of the same streamed document than `old`:
/// - any value extends `nil` (nothing parsed yet), but `nil` extends nothing else;
/// - a string extends another when it starts with the same Unicode scalars;
/// - a number extends any number, because a number still being written changes its digits
///   (`1` → `12` → `12.5`);
/// - an array extends another when it is at least as long, every element but the old last is
///   unchanged (they were complete), and the old last element is extended in place;
/// - an object extends another when it has every old key, each with an extended value;
/// - `true`, `false` and `null` only extend themselves.
func isPrefixExtension(_ old: JSONValue?, _ new: JSONValue?) -> Bool {
    guard let old else { return true }
    guard let new else { return false }
    switch (old, new) {
    case (.string(let before), .string(let after)):
        return after.unicodeScalars.starts(with: before.unicodeScalars)
    case (.number, .number):
        return true
    case (.array(let before), .array(let after)):
        guard after.count >= before.count else { return false }
        guard let last = before.indices.last else { return true }
        return zip(before[..<last], after).allSatisfy { $0 == $1 } && isPrefixExtension(before[last], after[last])
    case (.object(let before), .object(let after)):
        return before.allSatisfy { key, value in after[key].map { isPrefixExtension(value, $0) } ?? false }
    default:
        return old == new
    }
}

/// A document as a model might stream it, and the plain JSON Foundation should agree with.
struct StreamedDocument: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var json: String
    var testDescription: String { name }

    init(_ name: String, _ text: String, json: String? = nil) {
        self.name = name
        self.text = text
        self.json = json ?? text
    }
}

private let documents: [StreamedDocument] = [
    StreamedDocument(
        "flat object",
        #"{"name": "Ada Lovelace", "age": 36, "languages": ["en", "fr"], "active": true, "spouse": null, "x": false}"#
    ),
    StreamedDocument(
        "escapes",
        #"{"text": "line1\nline2\t\"quoted\" back\\slash \/ \b\f\r", "u": "caf\u00e9 \u4E2D\u6587", "emoji": "\ud83d\ude00 ok \uD834\uDD1E"}"#
    ),
    StreamedDocument("raw unicode", #"{"mixed": "naïve 日本語 👩‍👩‍👧 e\#u{301}", "ключ": ["ü", "🇫🇷"]}"#),
    StreamedDocument(
        "numbers",
        #"{"n": [0, -0, 1, -1, 12.5, -0.25, 1e10, 1E-3, 2.5e+3, -1.5E2, 123456789, 0.1, 10, 100.001]}"#
    ),
    StreamedDocument("nesting", #"[[], {}, [[1, [2, [3]]]], {"a": {"b": {"c": [true, false, null]}}}, "", [{}]]"#),
    StreamedDocument(
        "pretty printed",
        """
        {
          "items" : [
            {
              "id" : 1,
              "tags" : [ "a", "b" ]
            },
            {
              "id" : 2,
              "tags" : [ ]
            }
          ],
        \t"total":2
        }
        """
    ),
    StreamedDocument("odd keys", #"{"": 1, "k\"ey": {"x\ny": []}, "a/b~c": "v"}"#),
    // Found by fuzz-partial-json: valid JSON that Foundation's JSONDecoder refuses (`0e3`); the
    // parser reads it, as JSONSerialization does.
    StreamedDocument("zero with exponents", #"["",0e3, -0E-2, 0e+1, null]"#),
    StreamedDocument(
        "fenced",
        "```json\n{\"a\": [1, 2.5, {\"b\": \"c\"}], \"d\": -3}\n```\n",
        json: #"{"a": [1, 2.5, {"b": "c"}], "d": -3}"#
    ),
]

/// Splits a string at Unicode scalar offsets, which include every `Character` boundary and also
/// the ones inside grapheme clusters that token boundaries can produce.
private func split(_ text: String, at offset: Int) -> (String, String) {
    let scalars = Array(text.unicodeScalars)
    var head = String.UnicodeScalarView()
    head.append(contentsOf: scalars[..<offset])
    var tail = String.UnicodeScalarView()
    tail.append(contentsOf: scalars[offset...])
    return (String(head), String(tail))
}

private func parsed(_ deltas: [String]) -> PartialJSONParser {
    var parser = PartialJSONParser()
    for delta in deltas { parser.append(delta) }
    return parser
}

@Suite struct PartialJSONTests {
    @Test(arguments: documents)
    func everyTwoWaySplitParsesLikeFoundation(_ document: StreamedDocument) throws {
        let expected = try StructuredOutputFixtures.parse(document.json)
        for offset in 0...document.text.unicodeScalars.count {
            let (head, tail) = split(document.text, at: offset)
            var parser = PartialJSONParser()
            parser.append(head)
            let partial = parser.current
            #expect(isPrefixExtension(partial, expected), "split at \(offset): \(String(describing: partial))")
            parser.append(tail)
            #expect(parser.isComplete, "split at \(offset)")
            #expect(try parser.finalValue() == expected, "split at \(offset)")
            #expect(parser.current == expected, "split at \(offset)")
        }
    }

    @Test(arguments: documents)
    func charByCharSnapshotsAreMonotonic(_ document: StreamedDocument) throws {
        let expected = try StructuredOutputFixtures.parse(document.json)
        var parser = PartialJSONParser()
        var previous: JSONValue?
        for scalar in document.text.unicodeScalars {
            parser.append(String(scalar))
            let snapshot = parser.current
            #expect(isPrefixExtension(previous, snapshot), "after \(scalar.escaped(asASCII: true))")
            #expect(isPrefixExtension(snapshot, expected), "after \(scalar.escaped(asASCII: true))")
            previous = snapshot
        }
        #expect(try parser.finalValue() == expected)
    }

    @Test(arguments: [
        (#"{"a": "hel"#, #"{"a": "hel"}"#),
        (#"{"a": 1, "b": [1, 2"#, #"{"a": 1, "b": [1, 2]}"#),
        (#"{"a": tr"#, "{}"),
        (#"{"a"#, "{}"),
        (#"{"a": "#, "{}"),
        (#"{"a": "x", "b"#, #"{"a": "x"}"#),
        (#"{"a": -"#, "{}"),
        (#"{"a": 12."#, #"{"a": 12}"#),
        (#"{"a": 1e"#, #"{"a": 1}"#),
        (#"{"a": -0.5e-"#, #"{"a": -0.5}"#),
        (#"[1, 2, "#, "[1, 2]"),
        ("[", "[]"),
        (#"{"a": {"b": ["#, #"{"a": {"b": []}}"#),
        (#"{"a": [true, fal"#, #"{"a": [true]}"#),
        (#"{"a": [null, nul"#, #"{"a": [null]}"#),
        (#"{"a": "x\"#, #"{"a": "x"}"#),
        (#"{"a": "x\u00"#, #"{"a": "x"}"#),
        (#"{"a": "x\u00e9"#, #"{"a": "xé"}"#),
        (#"{"a": "\ud83d"#, #"{"a": ""}"#),
        (#"{"a": "\ud83d\ude"#, #"{"a": ""}"#),
        (#"{"a": "\ud83d\ude00"#, #"{"a": "😀"}"#),
        ("Sure! Here you go:\n```json\n{\"ok\": tru", "{}"),
        ("```json\n[{\"a\": 1}, {\"b\"", #"[{"a": 1}, {}]"#),
    ])
    func partialSnapshots(_ text: String, _ expected: String) throws {
        #expect(try parsed([text]).current == StructuredOutputFixtures.parse(expected))
        #expect(!parsed([text]).isComplete)
    }

    @Test func nothingBeforeTheRootOpens() {
        #expect(parsed([]).current == nil)
        #expect(parsed(["Here is the JSON you asked for:\n```json\n"]).current == nil)
    }

    @Test func escapesSplitAcrossDeltas() throws {
        let cases: [([String], String)] = [
            ([#"{"a": "x\u0"#, #"0e9y"}"#], "xéy"),
            ([#"{"a": "x\u00"#, #"e9y"}"#], "xéy"),
            ([#"{"a": "\ud83d"#, #"\ude00"}"#], "😀"),
            ([#"{"a": "\ud83d\"#, #"ude00"}"#], "😀"),
            ([#"{"a": "\"#, #"n"}"#], "\n"),
            ([#"{"a": "\"#, #"""#, #""}"#], "\""),
        ]
        for (deltas, expected) in cases {
            let parser = parsed(deltas)
            #expect(try parser.finalValue() == .object(["a": .string(expected)]), "\(deltas)")
        }
    }

    @Test func trailingFenceAndWhitespaceAreIgnored() throws {
        for text in ["{\"a\": 1}\n```", "{\"a\": 1}\n```\n", "  {\"a\": 1}  \n", "```json\n{\"a\": 1}\n```  "] {
            let parser = parsed([text])
            #expect(parser.isComplete)
            #expect(try parser.finalValue() == .object(["a": .number(1)]), "\(text)")
        }
    }

    @Test(arguments: [
        ("42", JSONValue.number(42)),
        (" \"hi\" ", .string("hi")),
        ("true", .bool(true)),
        ("null", .null),
        ("-1.5e3", .number(-1500)),
        ("```json\n\"x\"\n```", .string("x")),
    ])
    func bareScalarsAreAcceptedByFinalValue(_ text: String, _ expected: JSONValue) throws {
        let parser = parsed([text])
        #expect(parser.current == nil)
        #expect(try parser.finalValue() == expected)
    }

    @Test(arguments: [
        (#"{"a": 1"#, "unexpected end of input"),
        (#"{"a": "x"#, "inside a string"),
        (#"{"a": 1,}"#, "expected a property name"),
        ("[1, 2,]", "expected a value"),
        (#"{"a": tru}"#, "expected 'true'"),
        (#"{"a": 01}"#, "invalid number"),
        (#"{"a": 1.}"#, "incomplete number"),
        (#"{"a": 1-2}"#, "invalid number"),
        (#"{"a" 1}"#, "expected ':'"),
        ("{a: 1}", "expected a property name"),
        (#"{"a": "x\q"}"#, "invalid escape"),
        (#"{"a": "\u12G4"}"#, "hexadecimal digit"),
        ("{\"a\": \"line\nbreak\"}", "control character"),
        (#"{"a": "\ud800"}"#, "unpaired"),
        (#"{"a": "\udc00x"}"#, "unpaired"),
        (#"Sure: {"a": 1}"#, "before the JSON value"),
        (#"{"a": 1} and more"#, "after the JSON value"),
        (#"{"a": 1}{"b": 2}"#, "after the JSON value"),
        ("{\"a\": 1}\n``", "incomplete code fence"),
        (#"{"a": 1e400}"#, "too large"),
        ("[1}", "expected ',' or ']'"),
        ("", "no JSON value"),
        ("Hello", "expected a value"),
        ("42 43", "after the JSON value"),
        ("tru", "unexpected end"),
    ])
    func strictFinalValueRejects(_ text: String, _ fragment: String) {
        let error = #expect(throws: PartialJSONError.self) { try parsed([text]).finalValue() }
        #expect(error?.message.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test func toleratedProblemsStillShowInCurrent() {
        let rawNewline = parsed(["{\"a\": \"line\nbreak\"}"])
        #expect(rawNewline.isComplete)
        #expect(rawNewline.current == .object(["a": .string("line\nbreak")]))
        #expect(parsed([#"{"a": "\ud800!"}"#]).current == .object(["a": .string("\u{FFFD}!")]))
        #expect(parsed([#"Sure: {"a": 1} hope this helps"#]).current == .object(["a": .number(1)]))
    }

    @Test func parsingStopsAtASyntaxError() throws {
        var parser = PartialJSONParser()
        parser.append(#"{"a": 1 x"#)
        parser.append(#", "b": 2}"#)
        #expect(parser.current == .object(["a": .number(1)]))
        #expect(!parser.isComplete)
        let error = try #require(throws: PartialJSONError.self) { try parser.finalValue() }
        #expect(error.offset == 8)
    }

    @Test func errorOffsetsCountUTF8BytesAcrossDeltas() throws {
        let error = try #require(throws: PartialJSONError.self) { try parsed([#"{"é": t"#, "ru}"]).finalValue() }
        // `{"é": tru` is 10 bytes: é takes two.
        #expect(error.offset == 10)
        #expect(error.description.hasPrefix("invalid JSON at byte 10:"))
    }

    @Test func nestingIsLimited() throws {
        let depth = PartialJSONParser.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try parsed([deepest]).finalValue() != .null)

        let tooDeep = parsed([String(repeating: "[", count: 10_000)])
        #expect(tooDeep.current != nil)
        #expect(throws: PartialJSONError.self) { try tooDeep.finalValue() }
        let oneTooMany = parsed([String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)])
        #expect(throws: PartialJSONError.self) { try oneTooMany.finalValue() }
    }

    @Test func largeDocumentStreamsInSmallDeltas() throws {
        let items = (0..<400).map { #"{"id": \#($0), "title": "item \#($0) ✓", "score": \#(Double($0) / 8)}"# }
        let text = #"{"items": ["# + items.joined(separator: ", ") + #"], "count": 400}"#
        var parser = PartialJSONParser()
        var previousCount = 0
        let scalars = Array(text.unicodeScalars)
        for start in stride(from: 0, to: scalars.count, by: 5) {
            var delta = String.UnicodeScalarView()
            delta.append(contentsOf: scalars[start..<min(start + 5, scalars.count)])
            parser.append(String(delta))
            // Each snapshot only assembles the open path, however much is already complete.
            let count = parser.current?["items"]?.arrayValue?.count ?? 0
            #expect(count >= previousCount)
            previousCount = count
        }
        #expect(try parser.finalValue() == StructuredOutputFixtures.parse(text))
    }

    @Test(
        arguments: [
            (nil, #"{"a": 1}"#, true),
            (#"{"a": "he"}"#, #"{"a": "hello"}"#, true),
            (#"{"a": "hello"}"#, #"{"a": "he"}"#, false),
            (#"{"a": 1}"#, #"{"a": 12}"#, true),
            (#"{"a": 1}"#, #"{"a": "1"}"#, false),
            (#"{"a": 1}"#, "{}", false),
            (#"{"a": 1}"#, #"{"a": 1, "b": 2}"#, true),
            ("[1, 2]", "[1, 2, 3]", true),
            ("[1, 2]", "[1]", false),
            (#"[1, "a"]"#, #"[1, "ab", 3]"#, true),
            (#"["a", 1]"#, #"["ab", 1]"#, false),
            (#"[{"a": [1]}]"#, #"[{"a": [1, 2]}, 3]"#, true),
            (#"[{"a": [1]}, 2]"#, #"[{"a": [1, 2]}, 2]"#, false),
            (#"[{"a": [1]}]"#, #"[{"a": [1, 2]}]"#, true),
            ("[true]", "[false]", false),
            ("[null]", "[null, null]", true),
            (#""e""#, "\"e\u{301}\"", true),
        ] as [(String?, String, Bool)]
    )
    func prefixExtensionHelper(_ old: String?, _ new: String, _ expected: Bool) throws {
        let before = try old.map(StructuredOutputFixtures.parse)
        let after = try StructuredOutputFixtures.parse(new)
        #expect(isPrefixExtension(before, after) == expected)
        #expect(isPrefixExtension(after, nil) == false)
    }
}
