import Foundation
import NeuroLinkProtocol
import Testing

@_spi(FastPath) @testable import NeuroLinkProviders

/// An OpenAI text chunk as servers send them, its content being `content` (JSON, quotes included).
private func chunk(_ content: String, finish: String = "null", id: String = "chatcmpl-9xQ2") -> [UInt8] {
    Array(
        (#"{"id":"\#(id)","object":"chat.completion.chunk","created":1733443200,"model":"gpt-4o-mini","#
            + #""system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":\#(content)},"#
            + #""logprobs":null,"finish_reason":\#(finish)}]}"#).utf8
    )
}

/// A template kept from `chunk("\"Hello\"")`, its string located as the fast path locates it.
private func helloTemplate() throws -> EventTemplate {
    let event = chunk(#""Hello""#)
    let scanned = try #require(OpenAIFastChunk.scan(event, wantsModel: true)?.soleText)
    #expect(scanned.isReasoning == false)
    var template = EventTemplate()
    template.keep(event, stringAt: scanned.quoted)
    return template
}

/// Feeds `events` to `decodeEvent` until one fails: what it emitted, and the error that stopped it.
private func decodeAll(
    _ events: [[UInt8]],
    _ decodeEvent: (_ event: [UInt8], _ output: inout [ProviderEvent]) throws(RPCError) -> Void
) -> ([ProviderEvent], RPCError?) {
    var output: [ProviderEvent] = []
    do {
        for event in events { try decodeEvent(event, &output) }
    } catch {
        return (output, error)
    }
    return (output, nil)
}

@Suite struct EventTemplateTests {
    @Test(arguments: [
        #""""#, #"" world""#, #""say \"hi\"""#, #""a\\b\/c\n""#, #""\u00e9\ud83d\ude00""#, #""世界 👋""#,
        #""</s>""#, #""\"},\"logprobs\":null,\"finish_reason\":null}]}""#,
    ])
    func readsTheStringOfAnEventThatRepeatsTheRest(_ content: String) throws {
        let expected = try JSONDecoder().decode(String.self, from: Data(content.utf8))
        let read = try #require(try helloTemplate().string(in: chunk(content)))
        #expect(Array(read.utf8) == Array(expected.utf8))
    }

    @Test(arguments: [
        chunk(#""Hello""#, id: "chatcmpl-9xQ3"),  // Another byte before the string.
        chunk(#""Hello""#, finish: #""stop""#),  // Another byte after it.
        chunk("null"), chunk("42"), chunk(#"["Hello"]"#), chunk(#" "Hello""#),
        chunk(#""a","refusal":"b""#),  // A string that ends early: the bytes after it differ.
        chunk(#""a\""#), chunk(#""\x""#), chunk(#""\ud800""#), chunk("\"a\u{1}b\""),
        chunk(#""Hello""#) + Array(" ".utf8), Array(chunk(#""Hello""#).dropLast()),
    ])
    func declinesAnEventThatDiffersElsewhereOrHoldsNoStringThere(_ event: [UInt8]) throws {
        #expect(try helloTemplate().string(in: event) == nil)
    }

    @Test func declinesInvalidUTF8InTheString() throws {
        var event = chunk(#""Hé""#)
        let index = try #require(event.firstIndex(of: 0xC3))
        event[index + 1] = 0x28  // A lead byte without its continuation.
        #expect(try helloTemplate().string(in: event) == nil)
    }

    @Test func keepsNothingLongerThanItsLimit() {
        let long = chunk("\"" + String(repeating: "a", count: EventTemplate.maxBytes) + "\"")
        let scanned = OpenAIFastChunk.scan(long, wantsModel: true)?.soleText
        var template = EventTemplate()
        if let scanned { template.keep(long, stringAt: scanned.quoted) }
        #expect(scanned != nil)
        #expect(template.string(in: long) == nil)
    }

    /// Only a chunk whose one text is all it carries can be a template.
    @Test(arguments: [
        (#"{"choices":[{"delta":{"content":"a"}}]}"#, false),
        (#"{"choices":[{"delta":{"reasoning_content":"a","content":null}}]}"#, true),
        (#"{"choices":[{"delta":{"reasoning_content":null,"reasoning":"a"}}]}"#, true),
    ])
    func locatesTheSoleText(_ json: String, isReasoning: Bool) throws {
        let event = Array(json.utf8)
        let text = try #require(OpenAIFastChunk.scan(event, wantsModel: true)?.soleText)
        #expect(text.isReasoning == isReasoning)
        #expect(Array(event[text.quoted]) == Array(#""a""#.utf8))
    }

    @Test(arguments: [
        #"{"choices":[{"delta":{"content":"a","reasoning_content":"b"}}]}"#,
        #"{"choices":[{"delta":{"content":"a"},"finish_reason":"stop"}]}"#,
        #"{"choices":[{"delta":{"content":"a"}}],"usage":{"total_tokens":3}}"#,
        #"{"choices":[{"delta":{"content":null}}]}"#, #"{"choices":[]}"#,
    ])
    func findsNoSoleTextInOtherChunks(_ json: String) throws {
        let chunk = try #require(OpenAIFastChunk.scan(Array(json.utf8), wantsModel: true))
        #expect(chunk.soleText == nil)
    }

    /// Through the decoder: a stream whose chunks repeat a template, some of them not quite, gives
    /// what the decoder without its fast path gives.
    @Test func decoderReadsRepeatsAsTheFullDecoderDoes() throws {
        let events = [
            chunk(#""Hello""#), chunk(#"" world""#), chunk(#""\u00e9""#), chunk("null"), chunk(#""!""#),
            chunk(#""""#, finish: #""stop""#), chunk(#""after the finish""#),
            Array(#"{"choices":[{"delta":{"reasoning_content":"think"}}]}"#.utf8),
            Array(#"{"choices":[{"delta":{"reasoning_content":"ing"}}]}"#.utf8), chunk(#""a","x":"b""#),
        ]
        func decode(fastPath: Bool) -> ([ProviderEvent], RPCError?) {
            var decoder = OpenAIStreamDecoder(provider: "p", fastPath: fastPath)
            return decodeAll(events) { (event, output) throws(RPCError) in try decoder.decodeEvent(event, into: &output)
            }
        }
        let fast = decode(fastPath: true)
        let full = decode(fastPath: false)
        #expect(fast.0 == full.0)
        #expect(fast.1 == full.1)
        #expect(fast.0.contains(.reasoning("ing")))
    }

    /// The same for Anthropic's deltas, thinking and text, and a delta for a block already closed.
    @Test func anthropicDecoderReadsRepeatsAsTheFullDecoderDoes() {
        func delta(_ index: Int, _ type: String, _ key: String, _ text: String) -> String {
            #"{"type":"content_block_delta","index":\#(index),"delta":{"type":"\#(type)","\#(key)":\#(text)}}"#
        }
        let events = [
            #"{"type":"message_start","message":{"model":"claude-sonnet-4-5","usage":{"input_tokens":3}}}"#,
            #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#,
            delta(0, "thinking_delta", "thinking", #""Let me""#),
            delta(0, "thinking_delta", "thinking", #"" think\n""#),
            #"{"type":"content_block_stop","index":0}"#,
            #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#,
            delta(1, "text_delta", "text", #""Hello""#), delta(1, "text_delta", "text", #"", wörld""#),
            delta(1, "text_delta", "text", "null"), delta(1, "text_delta", "text", #""!""#),
            #"{"type":"content_block_stop","index":1}"#, delta(1, "text_delta", "text", #""late""#),
        ].map { Array($0.utf8) }
        func decode(fastPath: Bool) -> ([ProviderEvent], RPCError?) {
            var decoder = AnthropicStreamDecoder(provider: "p", fastPath: fastPath)
            return decodeAll(events) { (event, output) throws(RPCError) in try decoder.decodeEvent(event, into: &output)
            }
        }
        let fast = decode(fastPath: true)
        let full = decode(fastPath: false)
        #expect(fast.0 == full.0)
        #expect(fast.1 == full.1)
        #expect(fast.0.contains(.reasoning(" think\n")))
        #expect(fast.1 != nil)
    }
}
