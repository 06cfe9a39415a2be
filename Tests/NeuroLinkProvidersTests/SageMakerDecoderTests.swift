import Foundation
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkProviders

/// Event-stream bodies as SageMaker sends them: the container's bytes cut into `PayloadPart`s.
enum SageMakerTestStream {
    static func payloadPart(_ bytes: some Collection<UInt8>) -> [UInt8] {
        EventStreamTestEncoder.frame(
            [
                .string(":event-type", "PayloadPart"), .string(":content-type", "application/octet-stream"),
                .string(":message-type", "event"),
            ],
            payload: Array(bytes)
        )
    }

    /// `inner` cut into PayloadParts at `cuts` (offsets into `inner`).
    static func body(_ inner: [UInt8], cutAt cuts: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        for cut in Set(cuts.map { min(max($0, 0), inner.count) } + [inner.count]).sorted() where cut > start {
            out += payloadPart(inner[start..<cut])
            start = cut
        }
        return out
    }

    static func decode(
        _ body: [UInt8],
        container: any ProviderStreamDecoder,
        splitAt split: Int? = nil
    ) throws -> [ProviderEvent] {
        var decoder = SageMakerStreamDecoder(provider: "sm", container: container)
        var events: [ProviderEvent] = []
        if let split {
            try decoder.decode(Array(body[..<split]), into: &events)
            try decoder.decode(Array(body[split...]), into: &events)
        } else {
            try decoder.decode(body, into: &events)
        }
        try decoder.finish(into: &events)
        return events
    }
}

@Suite struct SageMakerDecoderTests {
    static let tgi: [UInt8] = Array(
        """
        data:{"token":{"id":1,"text":"Héllo","logprob":-0.1,"special":false},"generated_text":null,"details":null}

        data:{"token":{"id":2,"text":" 👋🏽","logprob":-0.2,"special":false},"generated_text":null,"details":null}

        data:{"token":{"id":2,"text":"</s>","logprob":-0.01,"special":true},"generated_text":"Héllo 👋🏽","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null,"input_length":5}}


        """.utf8
    )

    static let tgiEvents: [ProviderEvent] = [
        .text("Héllo"), .text(" 👋🏽"), .finish(.stop), .usage(Usage(inputTokens: 5, outputTokens: 3)),
    ]

    /// Texts joined, so the comparison does not depend on where the container's bytes were cut.
    static func normalised(_ events: [ProviderEvent]) -> [ProviderEvent] {
        var out: [ProviderEvent] = []
        for event in events {
            if case .text(let piece) = event, case .text(let previous)? = out.last {
                out[out.count - 1] = .text(previous + piece)
            } else {
                out.append(event)
            }
        }
        return out
    }

    @Test func tgiTokensSurvivePayloadPartsCutAtEveryByte() throws {
        for cut in 0...Self.tgi.count {
            let events = try SageMakerTestStream.decode(
                SageMakerTestStream.body(Self.tgi, cutAt: [cut]),
                container: TGIStreamDecoder(provider: "sm")
            )
            #expect(events == Self.tgiEvents, "payload cut at \(cut)")
        }
        // Many small slices, and the event-stream body itself split at every byte of its first three
        // messages (every offset in a message's framing, against payload cuts of both sizes), then at
        // every 13th: splitting all 6 KB at every byte decoded 40 MB and took seconds in debug builds.
        let sliced = SageMakerTestStream.body(Self.tgi, cutAt: Array(stride(from: 3, to: Self.tgi.count, by: 7)))
        let firstMessages = 3 * SageMakerTestStream.payloadPart(Self.tgi[0..<7]).count
        let splits =
            Array(0..<firstMessages) + Array(stride(from: firstMessages, to: sliced.count, by: 13)) + [sliced.count]
        for split in splits {
            let events = try SageMakerTestStream.decode(
                sliced,
                container: TGIStreamDecoder(provider: "sm"),
                splitAt: split
            )
            #expect(events == Self.tgiEvents, "body split at \(split)")
        }
    }

    @Test func tgiLengthFinishAndErrors() throws {
        let length =
            Array(
                #"data:{"token":{"id":1,"text":"cut","special":false},"generated_text":"cut","details":{"finish_reason":"length","generated_tokens":1}}"#
                    .utf8
            ) + [10, 10]
        #expect(
            try SageMakerTestStream.decode(
                SageMakerTestStream.payloadPart(length),
                container: TGIStreamDecoder(provider: "sm")
            )
                == [.text("cut"), .finish(.length), .usage(Usage(inputTokens: 0, outputTokens: 1))]
        )
        let failed =
            Array(#"data:{"error":"Request failed during generation: CUDA OOM","error_type":"generation"}"#.utf8) + [
                10, 10,
            ]
        #expect(throws: RPCError.self) {
            try SageMakerTestStream.decode(
                SageMakerTestStream.payloadPart(failed),
                container: TGIStreamDecoder(provider: "sm")
            )
        }
        do {
            _ = try SageMakerTestStream.decode(
                SageMakerTestStream.payloadPart(failed),
                container: TGIStreamDecoder(provider: "sm")
            )
        } catch let error as RPCError {
            #expect(error.type == .upstreamError && error.data.retryable && error.message.contains("CUDA OOM"))
        }
        let unfinished = Array(Self.tgi.prefix(120))
        do {
            _ = try SageMakerTestStream.decode(
                SageMakerTestStream.payloadPart(unfinished),
                container: TGIStreamDecoder(provider: "sm")
            )
        } catch let error as RPCError {
            #expect(error.type == .upstreamError && error.data.retryable)
        }
    }

    static let openAI: [UInt8] = Array(
        """
        data: {"id":"c","object":"chat.completion.chunk","model":"llama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"llama","choices":[{"index":0,"delta":{"content":"Let me check ünïcødé."},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"llama","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"llama","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\": \\"Paris\\"}"}}]},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"llama","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"llama","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}

        data: [DONE]


        """.utf8
    )

    @Test func openAIContainerStreamThroughPayloadParts() throws {
        let expected: [ProviderEvent] = [
            .model("llama"), .text("Let me check ünïcødé."),
            .toolCall(ToolCall(id: "call_1", name: "get_weather", arguments: .object(["city": .string("Paris")]))),
            .finish(.toolCalls), .usage(Usage(inputTokens: 11, outputTokens: 7, totalTokens: 18)),
        ]
        for cut in stride(from: 0, through: Self.openAI.count, by: 5) {
            let body = SageMakerTestStream.body(Self.openAI, cutAt: [cut, cut + 1, cut + 2])
            let events = try SageMakerTestStream.decode(body, container: OpenAIStreamDecoder(provider: "sm"))
            #expect(Self.normalised(events) == expected, "cut at \(cut)")
        }
        let adapter = SageMakerAdapterTests.adapter()
        var decoder = adapter.makeDecoder()
        var events: [ProviderEvent] = []
        try decoder.decode(SageMakerTestStream.body(Self.openAI, cutAt: [100]), into: &events)
        try decoder.finish(into: &events)
        #expect(Self.normalised(events) == expected)
    }

    @Test func exceptionsTruncationAndBadFraming() throws {
        let text = SageMakerTestStream.payloadPart(Self.openAI.prefix(200))
        let modelError = EventStreamTestEncoder.frame(
            [
                .string(":exception-type", "ModelStreamError"), .string(":content-type", "application/json"),
                .string(":message-type", "exception"),
            ],
            payload: Array(#"{"Message":"Your model stream failed","ErrorCode":"ModelStreamError.Container"}"#.utf8)
        )
        do {
            _ = try SageMakerTestStream.decode(text + modelError, container: OpenAIStreamDecoder(provider: "sm"))
            Issue.record("an exception must fail the stream")
        } catch let error as RPCError {
            #expect(error.type == .upstreamError && error.data.retryable)
            #expect(error.message.contains("ModelStreamError") && error.message.contains("Your model stream failed"))
        }
        let internalFailure = EventStreamTestEncoder.frame(
            [.string(":exception-type", "InternalStreamFailure"), .string(":message-type", "exception")],
            payload: Array(#"{"Message":"internal"}"#.utf8)
        )
        #expect(throws: RPCError.self) {
            try SageMakerTestStream.decode(internalFailure, container: TGIStreamDecoder(provider: "sm"))
        }

        let whole = SageMakerTestStream.body(Self.tgi, cutAt: [50])
        do {
            _ = try SageMakerTestStream.decode(Array(whole.dropLast(3)), container: TGIStreamDecoder(provider: "sm"))
            Issue.record("a body cut inside a message must fail")
        } catch let error as RPCError {
            #expect(
                error.type == .upstreamError && error.data.retryable
                    && error.message.contains("inside an event-stream message")
            )
        }
        var corrupted = whole
        corrupted[20] ^= 0xFF
        do {
            _ = try SageMakerTestStream.decode(corrupted, container: TGIStreamDecoder(provider: "sm"))
            Issue.record("a bad CRC must fail")
        } catch let error as RPCError {
            #expect(error.type == .upstreamBadResponse && error.message.contains("checksum"))
        }
    }
}
