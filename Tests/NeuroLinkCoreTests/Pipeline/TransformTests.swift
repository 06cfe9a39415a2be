import LoopbackUpstream
import NeuroLinkCore
import NeuroLinkProtocol
import Testing

/// Upper-cases text and holds back a trailing "a" until it knows what follows, so it tests both
/// transformation and holding back across pieces.
private struct ShoutingTransform: StreamTransform {
    var held = ""

    mutating func text(_ piece: String) -> String {
        var out = held + piece.uppercased()
        held = ""
        if out.hasSuffix("A") {
            held = "A"
            out.removeLast()
        }
        return out
    }

    mutating func flush() -> (text: String, reasoning: String) {
        defer { held = "" }
        return (held, "")
    }
}

@Suite struct TransformTests {
    @Test func theClientTheResultAndTheStructuredParserAllSeeTheTransformedStream() async throws {
        try await withUpstreams(1) { upstreams in
            upstreams[0].register(model: "m", .stream(OpenAIStream(pieces: [#"{"k": "a"#, #"b", "n": 1}"#])))
            try await PipelineHarness.with(providersConfig(upstreams)) { harness in
                let context = try harness.runner.start(
                    id: .number(1),
                    method: Method.stream,
                    caller: Caller(),
                    scope: .detached
                )
                let sink = RecordingSink(context: context, streaming: true) { _, _ in }
                let schema: JSONValue = .object(["type": .string("object")])
                var params = StreamRequest(prompt: "x", provider: "p0")
                params.schema = schema
                let result = await harness.runner.run(
                    params,
                    context: context,
                    sink: sink,
                    transforms: [ShoutingTransform()]
                )
                let answer = try result.get()
                let streamed = sink.chunks.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
                #expect(streamed == #"{"K": "AB", "N": 1}"#)
                #expect(answer.text == streamed)
                #expect(answer.object == .object(["K": .string("AB"), "N": .number(1)]))
            }
        }
    }

    @Test func whatATransformHoldsBackIsReleasedBeforeTheOneFinish() async throws {
        try await withUpstreams(1) { upstreams in
            upstreams[0].register(model: "m", .stream(OpenAIStream(pieces: ["ba", "na", "na"])))
            try await PipelineHarness.with(providersConfig(upstreams)) { harness in
                let context = try harness.runner.start(
                    id: .number(1),
                    method: Method.stream,
                    caller: Caller(),
                    scope: .detached
                )
                let sink = RecordingSink(context: context, streaming: true) { _, _ in }
                let result = await harness.runner.run(
                    StreamRequest(prompt: "x", provider: "p0"),
                    context: context,
                    sink: sink,
                    transforms: [ShoutingTransform()]
                )
                let texts = sink.chunks.compactMap { if case .text(let t) = $0 { t } else { nil } }
                #expect(texts.joined() == "BANANA")
                #expect(texts.last == "A", "the held-back A is released at the end")
                #expect(try result.get().text == "BANANA")
                guard case .finish = sink.chunks.last else {
                    Issue.record("finish must come last: \(sink.chunks)")
                    return
                }
                #expect(sink.chunks.count { if case .finish = $0 { true } else { false } } == 1)
            }
        }
    }
}
