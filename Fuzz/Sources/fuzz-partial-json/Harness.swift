import Foundation
import FuzzSupport
import NeuroLinkCore
import NeuroLinkProtocol

/// What a parser made of a whole document.
struct ParseOutcome: Equatable {
    var current: JSONValue?
    var isComplete: Bool
    var final: Result<JSONValue, PartialJSONError>
}

/// Feeds `pieces` as text deltas, taking a snapshot after each, as the daemon does per batch.
func parse(_ pieces: [String]) -> ParseOutcome {
    var parser = PartialJSONParser()
    for piece in pieces {
        parser.append(piece)
        _ = parser.current
    }
    return ParseOutcome(
        current: parser.current,
        isComplete: parser.isComplete,
        final: Result { () throws(PartialJSONError) in try parser.finalValue() }
    )
}

/// `text` cut at the input's byte positions, each cut moved on to the next scalar boundary:
/// providers deliver text deltas as whole strings, which may split grapheme clusters but not scalars.
func deltas(_ text: String, _ input: FuzzInput) -> [String] {
    let utf8 = Array(text.utf8)
    var result: [String] = []
    var start = 0
    var end = 0
    for piece in input.pieces(of: utf8) {
        end += piece.count
        while end < utf8.count, utf8[end] & 0xC0 == 0x80 { end += 1 }
        guard end > start else { continue }
        result.append(String(decoding: utf8[start..<min(end, utf8.count)], as: UTF8.self))
        start = min(end, utf8.count)
    }
    return result
}

/// The structured-output path: the model's text (before the first NUL) streamed into the partial
/// JSON parser in deltas cut as the input says, then the result checked against the schema after
/// the NUL (as a client sends it in `params.schema`). Checks that the cuts change nothing, and that
/// a text read strictly here as one JSON container is read by Foundation to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPartialJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let nul = input.payload.firstIndex(of: 0) ?? input.payload.endIndex
    let text = String(decoding: input.payload[..<nul], as: UTF8.self)
    let whole = parse([text])
    let cut = parse(deltas(text, input))
    invariant(whole == cut, "cut text parsed differently: whole \(whole), cut \(cut)")
    checkAgainstFoundation(text, whole)

    let schemaBytes = nul < input.payload.endIndex ? Data(input.payload[(nul + 1)...]) : nil
    if let schemaBytes, let schema = try? JSONDecoder().decode(JSONValue.self, from: schemaBytes) {
        let value = (try? whole.final.get()) ?? whole.current ?? .null
        for violation in SchemaValidator.validate(value, against: schema) { _ = violation.description }
        _ = SchemaValidator.validate(schema, against: schema)
    }
    return 0
}

/// A document read strictly here as exactly one JSON object or array must be read by Foundation
/// too, to the same value when JSONDecoder reads it. (Not the other way round: Foundation is lenient; it accepts `[1,]`,
/// `2-` and raw control characters in strings.) With a duplicate key Foundation keeps the first
/// member, where this parser, as JavaScript, keeps the last.
func checkAgainstFoundation(_ text: String, _ outcome: ParseOutcome) {
    let isJSONSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    let body = text.drop(while: isJSONSpace).reversed().drop(while: isJSONSpace)
    guard body.last == "{" || body.last == "[", body.first == "}" || body.first == "]",
        case .success(let value) = outcome.final
    else { return }
    guard let expected = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
        // JSONDecoder refuses some valid numbers: `0e3` (a zero integer part, then an exponent) is
        // RFC 8259 JSON, and JSONSerialization reads it. Such a document must still be JSON.
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil
        return invariant(json, "parsed \(value) from a document Foundation refuses")
    }
    invariant(value == expected || hasDuplicateKey(Array(text.utf8)), "parsed \(value), Foundation \(expected)")
}

/// Whether JSON `bytes` has an object with the same key twice (keys compared unescaped).
func hasDuplicateKey(_ bytes: [UInt8]) -> Bool {
    /// Per open container: the keys of an object so far, or `nil` for an array.
    var stack: [Set<String>?] = []
    var expectingKey = false
    var index = 0
    while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "{"):
            stack.append([])
            expectingKey = true
        case UInt8(ascii: "["):
            stack.append(nil)
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            if !stack.isEmpty { stack.removeLast() }
        case UInt8(ascii: ","):
            expectingKey = stack.last.map { $0 != nil } ?? false
        case UInt8(ascii: "\""):
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            if expectingKey, end < bytes.count,
                let key = try? JSONDecoder().decode(String.self, from: Data(bytes[index...end]))
            {
                if stack[stack.count - 1]?.insert(key).inserted == false { return true }
                expectingKey = false
            }
            index = end
        default:
            break
        }
        index += 1
    }
    return false
}
