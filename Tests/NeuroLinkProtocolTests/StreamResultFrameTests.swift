import Foundation
import NIOCore
import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkProtocol

/// The hand-written result frame against `JSONEncoder`'s, which it replaces for the common shapes.
@Suite struct StreamResultFrameTests {
    private let allocator = ByteBufferAllocator()

    /// The frame `JSONEncoder` writes (`Frames.response`), as the reply was written before.
    private func encoderFrame(_ result: StreamResult, id: RPCID) throws -> ByteBuffer {
        try Frames.response(id: id, result: result, allocator: allocator)
    }

    /// The frame's JSON, its 4-byte length prefix checked and removed.
    private func body(_ frame: ByteBuffer) throws -> JSONValue {
        var frame = frame
        let prefix = frame.readInteger(as: UInt32.self)
        let length = try #require(prefix)
        #expect(Int(length) == frame.readableBytes)
        return try JSONValue(parsing: frame)
    }

    /// A result with every field the fast path writes, each present or absent by `seed`'s bits.
    private func result(seed: UInt64, text: String) -> StreamResult {
        var random = SeededGenerator(seed: seed)
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { random.next() % 2 == 0 ? value() : nil }
        func number() -> Double {
            [0, 1, 12.5, 0.000_01, 123_456.789, 1e21, -3.25, 9.0e15, 2.0 / 3.0][Int(random.next() % 9)]
        }
        var result = StreamResult(
            text: text,
            reasoning: maybe("thinking \"hard\" / é"),
            finishReason: [.stop, .length, .contentFilter][Int(random.next() % 3)],
            usage: maybe(
                Usage(
                    inputTokens: Int(random.next() % 100_000),
                    outputTokens: 7,
                    cachedInputTokens: maybe(3),
                    reasoningTokens: maybe(0),
                    estimated: maybe(random.next() % 2 == 0)
                )
            ),
            provider: "openai",
            model: "gpt-4o-mini\u{1}",
            timings: Timings(timeToFirstChunkMs: maybe(number()), durationMs: number()),
            chunks: Int(random.next() % 1000),
            route: maybe(
                RouteInfo(
                    requested: "auto",
                    reason: "the pool's \"first\" member",
                    skipped: random.next() % 2 == 0
                        ? [] : [.init(provider: "a", reason: "open"), .init(provider: "b", reason: "")],
                    pool: maybe("main"),
                    strategy: maybe("failover"),
                    member: maybe("openai/gpt-4o-mini"),
                    attempts: maybe([
                        .init(member: "x/y", outcome: "server", waitMs: maybe(250)),
                        .init(member: "z/w", outcome: "ok"),
                    ])
                )
            )
        )
        result.textTruncated = maybe(random.next() % 2 == 0)
        result.cost = maybe(number())
        if random.next() % 2 == 0 {
            var cache = CacheInfo(status: [.hit, .miss, .semanticHit][Int(random.next() % 3)], key: maybe("k/1"))
            cache.ageMs = maybe(number())
            cache.similarity = maybe(number())
            cache.refusal = maybe("negation")
            cache.stored = maybe(random.next() % 2 == 0)
            cache.savedUsage = maybe(Usage(inputTokens: 5, outputTokens: 6))
            cache.savedCost = maybe(number())
            result.cache = cache
        }
        return result
    }

    static let texts = [
        "", "plain", "line\nbreak \"quoted\" \\ / \u{0}\u{1F}", "héllo 👋 世界 \u{2028}",
        String(repeating: "tok ", count: 300),
    ]

    @Test(arguments: texts)
    func parsesToWhatJSONEncoderWrites(text: String) throws {
        for seed in 0..<400 as Range<UInt64> {
            let value = result(seed: seed, text: text)
            let id: RPCID = seed % 2 == 0 ? .number(Int64(seed)) : .string("req-\"\(seed)\"")
            let reply = Frames.reply(id: id, Result<StreamResult, RPCError>.success(value), allocator: allocator)
            let expected = try encoderFrame(value, id: id)
            #expect(try body(reply) == body(expected), "seed \(seed)")
            // What a client decodes is the same result.
            var payload = reply
            payload.moveReaderIndex(forwardBy: 4)
            let decoded = try JSONDecoder().decode(Reply.self, from: Data(payload.readableBytesView))
            #expect(decoded.result == value, "seed \(seed)")
        }
    }

    @Test func declinesTheRareFieldsAndNonFiniteNumbers() throws {
        var withTools = result(seed: 1, text: "x")
        withTools.toolCalls = [ToolCall(id: "c1", name: "f", arguments: .object(["a": .number(1)]))]
        var withObject = result(seed: 2, text: "x")
        withObject.object = .object(["a": .number(1)])
        var withEvaluationError = result(seed: 3, text: "x")
        withEvaluationError.evaluationError = "judge unavailable"
        for value in [withTools, withObject, withEvaluationError] {
            #expect(StreamResultFrame.frame(value, id: .number(1), allocator: allocator) == nil)
            // The reply is still whole: JSONEncoder wrote it.
            let reply = Frames.reply(
                id: .number(1),
                Result<StreamResult, RPCError>.success(value),
                allocator: allocator
            )
            #expect(try body(reply) == body(encoderFrame(value, id: .number(1))))
        }
        var infinite = result(seed: 4, text: "x")
        infinite.cost = .infinity
        #expect(StreamResultFrame.frame(infinite, id: .number(1), allocator: allocator) == nil)
        // As before the fast path: a result JSON cannot carry becomes an `internal` error.
        let reply = Frames.reply(id: .number(1), Result<StreamResult, RPCError>.success(infinite), allocator: allocator)
        let error = try body(reply).objectValue?["error"]?.objectValue?["data"]?.objectValue?["type"]
        #expect(error == .string("internal"))
    }

    /// A field added to one of these types must be added to the frame's writer (or to what it
    /// declines) too, or the fast path would leave it out of every reply.
    @Test func theWriterKnowsEveryStoredProperty() {
        func fields(_ value: Any) -> [String] { Mirror(reflecting: value).children.compactMap(\.label) }
        let full = result(seed: 0, text: "x")
        #expect(
            fields(full) == [
                "text", "reasoning", "finishReason", "usage", "provider", "model", "timings", "chunks", "toolCalls",
                "object", "objectError", "route", "textTruncated", "cost", "analytics", "evaluation", "evaluationError",
                "cache", "steps",
            ]
        )
        #expect(
            fields(Usage()) == [
                "inputTokens", "outputTokens", "totalTokens", "cachedInputTokens", "reasoningTokens", "estimated",
            ]
        )
        #expect(fields(Timings(timeToFirstChunkMs: nil, durationMs: 0)) == ["timeToFirstChunkMs", "durationMs"])
        #expect(
            fields(RouteInfo(requested: "", reason: "")) == [
                "requested", "reason", "skipped", "pool", "strategy", "member", "attempts",
            ]
        )
        #expect(fields(RouteInfo.Skipped(provider: "", reason: "")) == ["provider", "reason"])
        #expect(fields(RouteInfo.Attempt(member: "", outcome: "")) == ["member", "outcome", "waitMs"])
        #expect(
            fields(CacheInfo(status: .hit)) == [
                "status", "key", "ageMs", "similarity", "refusal", "stored", "savedUsage", "savedCost",
            ]
        )
    }

    private struct Reply: Decodable {
        let result: StreamResult
    }
}
