import FuzzSupport
import NeuroLinkProtocol
@_spi(FastPath) import NeuroLinkProviders

/// The stream decoders' fast paths against their full decoders.
///
/// Input: a selector byte, then one event's JSON. The selector's bits 0-1 choose the provider
/// (OpenAI, Anthropic, Gemini, Ollama), bit 2 whether a model-bearing event comes first (so the
/// fast path checks a model it no longer builds). The event is fed twice, then an event that
/// ends the answer, then `finish`, to a decoder with its fast path and to one without: both must
/// emit the same events, byte for byte, and fail with the same error. So for every input, the
/// fast path declines or reads it exactly as `JSONDecoder` does, and leaves the same state.
///
/// A 0xFF byte (never part of valid JSON) splits the input into two events, fed first, second,
/// first: a stream's events that differ in one string, as a decoder's template reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFastPath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let selector = bytes.first else { return 0 }
    let input = bytes.dropFirst()
    let parts = input.split(separator: 0xFF, maxSplits: 1, omittingEmptySubsequences: false).map { Array($0) }
    let events = parts.count == 2 ? [parts[0], parts[1], parts[0]] : [Array(input), Array(input)]
    let withPreamble = selector & 4 != 0
    switch selector & 3 {
    case 0:
        compare(
            events + [Array(#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#.utf8)],
            preamble: withPreamble ? Array(#"{"model":"first","choices":[]}"#.utf8) : nil
        ) { OpenAIStreamDecoder(provider: "fuzz", fastPath: $0) }
    case 1:
        compare(
            events + [Array(#"{"type":"message_stop"}"#.utf8)],
            preamble: withPreamble ? Array(#"{"type":"message_start","message":{"model":"first"}}"#.utf8) : nil
        ) { AnthropicStreamDecoder(provider: "fuzz", fastPath: $0) }
    case 2:
        compare(
            events + [Array(#"{"candidates":[{"finishReason":"STOP"}]}"#.utf8)],
            preamble: withPreamble ? Array(#"{"modelVersion":"first"}"#.utf8) : nil
        ) { GeminiStreamDecoder(provider: "fuzz", fastPath: $0) }
    default:
        compare(
            events + [Array(#"{"done":true,"eval_count":1}"#.utf8)],
            preamble: withPreamble ? Array(#"{"model":"first","done":false}"#.utf8) : nil
        ) { OllamaStreamDecoder(provider: "fuzz", fastPath: $0) }
    }
    return 0
}

/// The decoders' per-event entry, which both of their paths share.
protocol EventDecoder {
    mutating func decodeEvent(_ data: [UInt8], into output: inout [ProviderEvent]) throws(RPCError)
    mutating func finish(into output: inout [ProviderEvent]) throws(RPCError)
}

extension OpenAIStreamDecoder: EventDecoder {}
extension AnthropicStreamDecoder: EventDecoder {}
extension GeminiStreamDecoder: EventDecoder {}
extension OllamaStreamDecoder: EventDecoder {}

/// What a decoder made of the events: what it emitted, and the error that stopped it.
struct Outcome {
    var events: [ProviderEvent] = []
    var error: RPCError?

    /// Equal events and errors, and text compared as bytes: `==` on strings takes canonical
    /// equivalents ("é" and "e\u{301}") to be equal, which would hide a wrong unescape.
    func matches(_ other: Outcome) -> Bool {
        events == other.events && events.map(Self.bytes) == other.events.map(Self.bytes) && error == other.error
    }

    private static func bytes(_ event: ProviderEvent) -> [UInt8] {
        switch event {
        case .text(let text): [1] + Array(text.utf8)
        case .reasoning(let text): [2] + Array(text.utf8)
        case .model(let name): [3] + Array(name.utf8)
        default: [4]  // Only the full decoder makes the others; `==` compares them.
        }
    }
}

func compare<Decoder: EventDecoder>(_ events: [[UInt8]], preamble: [UInt8]?, _ make: (Bool) -> Decoder) {
    let events = (preamble.map { [$0] } ?? []) + events
    let fast = run(make(true), events)
    let full = run(make(false), events)
    invariant(fast.matches(full), "the fast path gave \(fast), the full decoder \(full)")
}

/// Feeds `events` one by one, then finishes; stops at the first error.
func run(_ decoder: some EventDecoder, _ events: [[UInt8]]) -> Outcome {
    var decoder = decoder
    var outcome = Outcome()
    do {
        for event in events { try decoder.decodeEvent(event, into: &outcome.events) }
        try decoder.finish(into: &outcome.events)
    } catch {
        outcome.error = error
    }
    return outcome
}
