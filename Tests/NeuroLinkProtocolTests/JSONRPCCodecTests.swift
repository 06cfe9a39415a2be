import Foundation
import NIOCore
import Testing

@testable import NeuroLinkProtocol

/// Strips and checks the 4-byte length prefix of one complete frame.
private func frameBody(_ frame: ByteBuffer) throws -> ByteBuffer {
    var frame = frame
    let prefix = frame.readInteger(as: UInt32.self)
    let length = try #require(prefix)
    #expect(Int(length) == frame.readableBytes, "length prefix does not match the body")
    return frame
}

private func bytes(_ json: String) -> ByteBuffer {
    ByteBuffer(string: json)
}

@Suite struct ChunkFrameTests {
    struct ContentCase: Sendable, CustomTestStringConvertible {
        var id: RPCID
        var seq: Int
        var type: ChunkType
        var content: String
        var testDescription: String { "\(id) #\(seq) \(type)" }
    }

    static let contentCases: [ContentCase] = [
        ContentCase(id: .number(1), seq: 0, type: .text, content: "Hello"),
        ContentCase(id: .number(-7), seq: 12, type: .reasoning, content: "think \"hard\"\n\\ok"),
        ContentCase(id: .string("req-1"), seq: 3, type: .text, content: "héllo 👋 世界"),
        ContentCase(id: .string("quote\"id\\"), seq: 999_999, type: .text, content: "\u{0}\u{1F}\t"),
        ContentCase(id: .number(Int64.max), seq: 1, type: .text, content: ""),
    ]

    @Test(arguments: contentCases)
    func contentChunkRoundTrips(_ c: ContentCase) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        Frames.writeContentChunk(into: &buffer, requestId: c.id, seq: c.seq, type: c.type, content: c.content)
        let message = try ClientInbound.parse(try frameBody(buffer))
        guard case .chunk(let chunk) = message else {
            Issue.record("expected a chunk, got \(message)")
            return
        }
        #expect(chunk == StreamChunk(requestId: c.id, seq: c.seq, type: c.type, content: c.content))
    }

    @Test(arguments: [
        (FinishReason.stop, Usage?.some(Usage(inputTokens: 3, outputTokens: 5))),
        (.length, Usage(inputTokens: 0, outputTokens: 0, totalTokens: 0)),
        (.toolCalls, nil),
        (.contentFilter, Usage(inputTokens: 10, outputTokens: 20, totalTokens: 35)),
        (.error, nil),
        // Written as `JSONEncoder` writes it: `estimated` whenever set, false included.
        (.stop, Usage(inputTokens: 1, outputTokens: 2, estimated: false)),
        (.stop, Usage(inputTokens: 1, outputTokens: 2, cachedInputTokens: 1, reasoningTokens: 0, estimated: true)),
    ])
    func finishChunkRoundTrips(reason: FinishReason, usage: Usage?) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        Frames.writeFinishChunk(into: &buffer, requestId: .string("abc"), seq: 42, finishReason: reason, usage: usage)
        let message = try ClientInbound.parse(try frameBody(buffer))
        guard case .chunk(let chunk) = message else {
            Issue.record("expected a chunk, got \(message)")
            return
        }
        #expect(
            chunk == StreamChunk(requestId: .string("abc"), seq: 42, type: .finish, finishReason: reason, usage: usage)
        )
    }

    @Test func consecutiveChunksDecodeAsSeparateFrames() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        Frames.writeContentChunk(into: &buffer, requestId: .number(1), seq: 0, type: .text, content: "a")
        Frames.writeContentChunk(into: &buffer, requestId: .number(1), seq: 1, type: .text, content: "b")
        Frames.writeFinishChunk(into: &buffer, requestId: .number(1), seq: 2, finishReason: .stop, usage: nil)
        var decoder = FrameDecoder()
        var seqs: [Int] = []
        while let frame = try decoder.decode(buffer: &buffer) {
            if case .chunk(let chunk) = try ClientInbound.parse(frame) { seqs.append(chunk.seq) }
        }
        #expect(seqs == [0, 1, 2])
        #expect(buffer.readableBytes == 0)
    }
}

@Suite struct ResponseFrameTests {
    private let allocator = ByteBufferAllocator()

    @Test(arguments: [RPCID.number(7), .string("x-1"), .number(0)])
    func successResponseRoundTrips(id: RPCID) throws {
        let frame = try Frames.response(id: id, result: CancelResult(cancelled: true), allocator: allocator)
        let message = try ClientInbound.parse(try frameBody(frame))
        guard case .success(let gotID, let result) = message else {
            Issue.record("expected success, got \(message)")
            return
        }
        #expect(gotID == id)
        #expect(try result.decode(as: CancelResult.self) == CancelResult(cancelled: true))
    }

    @Test func streamResultRoundTrips() throws {
        let value = StreamResult(
            text: "héllo",
            reasoning: "r",
            finishReason: .length,
            usage: Usage(inputTokens: 1, outputTokens: 2),
            provider: "openai",
            model: "gpt-4o-mini",
            timings: Timings(timeToFirstChunkMs: 12.5, durationMs: 100),
            chunks: 4
        )
        let frame = try Frames.response(id: .number(3), result: value, allocator: allocator)
        guard case .success(_, let result) = try ClientInbound.parse(try frameBody(frame)) else {
            Issue.record("expected success")
            return
        }
        #expect(try result.decode(as: StreamResult.self) == value)
    }

    static let errors: [RPCError] = [
        RPCError(.invalidParams, "params.maxTokens must be an integer"),
        RPCError(
            .rateLimited,
            "slow down",
            data: ErrorData(type: .rateLimited, retryAfterMs: 2000, upstreamStatus: 429, provider: "openai")
        ),
        RPCError(.frameTooLarge, "too big", data: ErrorData(type: .frameTooLarge, maxFrameBytes: 1024)),
        RPCError(
            .upstreamError,
            "boom",
            data: ErrorData(type: .upstreamError, usage: Usage(inputTokens: 1, outputTokens: 2))
        ),
        RPCError(.timeout, "idle", data: ErrorData(type: .timeout, timeout: "idle")),
    ]

    @Test(arguments: errors, [RPCID?.some(.number(9)), .some(.string("s")), nil])
    func errorResponseRoundTrips(error: RPCError, id: RPCID?) throws {
        let frame = Frames.error(id: id, error, allocator: allocator)
        let message = try ClientInbound.parse(try frameBody(frame))
        guard case .failure(let gotID, let gotError) = message else {
            Issue.record("expected failure, got \(message)")
            return
        }
        #expect(gotID == id)
        #expect(gotError == error)
        #expect(gotError.code == error.type.code)
    }

    @Test func errorWithoutIDEncodesExplicitNull() throws {
        let frame = Frames.error(id: nil, RPCError(.parseError, "bad"), allocator: allocator)
        let body = try frameBody(frame)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        )
        #expect(object["id"] is NSNull)
        #expect(object["jsonrpc"] as? String == "2.0")
    }

    @Test func requestFrameParsesAsInboundRequest() throws {
        let params = StreamRequest(prompt: "hi", maxTokens: 5)
        let frame = try Frames.request(id: .number(11), method: Method.stream, params: params, allocator: allocator)
        let request = try InboundRequest.parse(try frameBody(frame)).get()
        #expect(request.id == .number(11))
        #expect(request.method == "stream")
        #expect(try StreamRequest(json: request.params) == params)
    }

    @Test func unknownNotificationIsReported() throws {
        let message = try ClientInbound.parse(bytes(#"{"jsonrpc":"2.0","method":"future.thing","params":{}}"#))
        guard case .unknownNotification(let method) = message else {
            Issue.record("expected unknownNotification, got \(message)")
            return
        }
        #expect(method == "future.thing")
    }
}

@Suite struct InboundRequestTests {
    @Test func parsesRequest() throws {
        let request = try InboundRequest.parse(
            bytes(#"{"jsonrpc":"2.0","id":1,"method":"stream","params":{"input":{"text":"hi"}}}"#)
        ).get()
        #expect(request.id == .number(1))
        #expect(request.method == "stream")
        #expect(request.params == .object(["input": .object(["text": .string("hi")])]))
    }

    @Test func parsesNotificationWithoutID() throws {
        let request = try InboundRequest.parse(bytes(#"{"jsonrpc":"2.0","method":"health"}"#)).get()
        #expect(request.id == nil)
        #expect(request.method == "health")
        #expect(request.params == nil)
    }

    @Test func parsesStringID() throws {
        let request = try InboundRequest.parse(bytes(#"{"jsonrpc":"2.0","id":"abc-1","method":"status"}"#)).get()
        #expect(request.id == .string("abc-1"))
    }

    @Test func readsZeroWithAnExponentWhichFoundationRefused() throws {
        let request = try InboundRequest.parse(
            bytes(#"{"jsonrpc":"2.0","id":0e3,"method":"stream","params":{"temperature":-0E-2}}"#)
        ).get()
        #expect(request.id == .number(0))
        #expect(request.params?["temperature"] == .number(0))
    }

    @Test func parsesLargeIntegerID() throws {
        let request = try InboundRequest.parse(bytes(#"{"jsonrpc":"2.0","id":123456789012,"method":"status"}"#)).get()
        #expect(request.id == .number(123_456_789_012))
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        var json: String
        var type: ErrorType
        var id: RPCID?
        var testDescription: String { json }
    }

    static let failures: [FailureCase] = [
        FailureCase(json: "{not json", type: .parseError, id: nil),
        FailureCase(json: "", type: .parseError, id: nil),
        FailureCase(json: #"{"jsonrpc":"2.0","id":1,"method":"x""#, type: .parseError, id: nil),
        FailureCase(json: #"[{"jsonrpc":"2.0","id":1,"method":"status"}]"#, type: .invalidRequest, id: nil),
        FailureCase(json: #""just a string""#, type: .invalidRequest, id: nil),
        FailureCase(json: "42", type: .invalidRequest, id: nil),
        FailureCase(json: #"{"id":5,"method":"status"}"#, type: .invalidRequest, id: .number(5)),
        FailureCase(json: #"{"jsonrpc":"1.0","id":"k","method":"status"}"#, type: .invalidRequest, id: .string("k")),
        FailureCase(json: #"{"jsonrpc":2.0,"id":3,"method":"status"}"#, type: .invalidRequest, id: .number(3)),
        FailureCase(json: #"{"jsonrpc":"2.0","id":6,"method":42}"#, type: .invalidRequest, id: .number(6)),
        FailureCase(json: #"{"jsonrpc":"2.0","id":6}"#, type: .invalidRequest, id: .number(6)),
        FailureCase(json: #"{"jsonrpc":"2.0","id":1.5,"method":"status"}"#, type: .invalidRequest, id: nil),
        FailureCase(json: #"{"jsonrpc":"2.0","id":true,"method":"status"}"#, type: .invalidRequest, id: nil),
        FailureCase(json: #"{"jsonrpc":"2.0","id":{"a":1},"method":"status"}"#, type: .invalidRequest, id: nil),
    ]

    @Test(arguments: failures)
    func rejects(_ c: FailureCase) throws {
        let result = InboundRequest.parse(bytes(c.json))
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.error.type == c.type)
        #expect(failure.error.code == c.type.code)
        #expect(failure.id == c.id)
    }

    @Test func invalidJSONIsParseErrorCode() throws {
        guard case .failure(let failure) = InboundRequest.parse(bytes("{oops")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.error.code == -32700)
        #expect(failure.id == nil)
    }

    @Test func invalidUTF8IsParseError() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 32)
        buffer.writeBytes(Array(#"{"jsonrpc":"2.0","method":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8))
        guard case .failure(let failure) = InboundRequest.parse(buffer) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.error.type == .parseError)
    }

    @Test func parseErrorNamesTheOffsetButNotTheInput() throws {
        guard case .failure(let failure) = InboundRequest.parse(bytes(#"{"jsonrpc":"2.0","secret":"sk-live",}"#)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.error.message == "frame is not valid UTF-8 JSON: expected a string key at byte 36")
    }

    /// Foundation's decoder took about 0.7 s of CPU for one such frame (cubic in the depth), so a
    /// client could occupy every core with a few 2 KB frames; 20 of them now take milliseconds, and
    /// one level deeper is refused.
    @Test func deeplyNestedFramesCostLinearTime() throws {
        let depth = JSONValue.maximumNestingDepth - 1
        let frame =
            #"{"jsonrpc":"2.0","id":1,"method":"stream","params":"#
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let started = ContinuousClock.now
        for _ in 0..<20 {
            #expect(try InboundRequest.parse(bytes(frame)).get().method == "stream")
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        let deeper = frame.replacingOccurrences(of: "[]", with: "[[]]")
        guard case .failure(let failure) = InboundRequest.parse(bytes(deeper)) else {
            Issue.record("a frame nested deeper than the limit was accepted")
            return
        }
        #expect(failure.error.type == .parseError)
    }
}

@Suite struct ErrorTypeTests {
    static let standard: [ErrorType] = [.parseError, .invalidRequest, .unknownMethod, .invalidParams, .internal]
    static let application: [ErrorType] = [
        .frameTooLarge, .providerNotFound, .noProviderAvailable, .upstreamAuth, .rateLimited, .upstreamError,
        .upstreamBadResponse, .upstreamInvalidRequest, .timeout, .cancelled, .shuttingDown, .duplicateRequestId,
    ]

    @Test func codesAreUnique() {
        let all = Self.standard + Self.application
        #expect(Set(all.map(\.code)).count == all.count)
        #expect(Set(all.map(\.rawValue)).count == all.count)
    }

    @Test func standardCodesMatchJSONRPC() {
        #expect(Self.standard.map(\.code) == [-32700, -32600, -32601, -32602, -32603])
    }

    @Test(arguments: application)
    func applicationCodeIsInServerRange(_ type: ErrorType) {
        #expect((-32099 ... -32000).contains(type.code))
    }

    @Test(arguments: [
        (ErrorType.rateLimited, true), (.upstreamError, true), (.timeout, true), (.shuttingDown, true),
        (.noProviderAvailable, false), (.upstreamBadResponse, true), (.upstreamAuth, false), (.invalidParams, false),
        (.cancelled, false),
        (.upstreamInvalidRequest, false), (.providerNotFound, false),
    ])
    func defaultRetryable(_ type: ErrorType, _ retryable: Bool) {
        #expect(type.defaultRetryable == retryable)
        #expect(ErrorData(type: type).retryable == retryable)
    }

    @Test func rpcErrorTakesCodeFromType() {
        let error = RPCError(.upstreamAuth, "nope")
        #expect(error.code == -32004)
        #expect(error.type == .upstreamAuth)
        #expect(error.description == "upstream_auth: nope")
    }
}

/// The one-pass content chunk writer against the general writers the other chunk kinds use.
@Suite struct ContentChunkFrameBytesTests {
    @Test(arguments: ChunkFrameTests.contentCases)
    func sameBytesAsTheGeneralWriters(_ c: ChunkFrameTests.ContentCase) {
        var fast = ByteBuffer(string: "before")
        Frames.writeContentChunk(into: &fast, requestId: c.id, seq: c.seq, type: c.type, content: c.content)
        var general = ByteBuffer(string: "before")
        general.writeFrame { b in
            Frames.writeChunkHead(into: &b, requestId: c.id, seq: c.seq, type: c.type)
            b.writeStaticString(#","content":"#)
            b.writeJSONString(c.content)
            b.writeStaticString("}}")
        }
        #expect(Array(fast.readableBytesView) == Array(general.readableBytesView))
    }

    @Test(arguments: [Int.min, -1, 0, 9, 10, Int.max])
    func extremeSequenceNumbers(_ seq: Int) {
        var fast = ByteBuffer()
        Frames.writeContentChunk(into: &fast, requestId: .number(Int64.min), seq: seq, type: .text, content: "a")
        var general = ByteBuffer()
        general.writeFrame { b in
            Frames.writeChunkHead(into: &b, requestId: .number(Int64.min), seq: seq, type: .text)
            b.writeStaticString(#","content":"#)
            b.writeJSONString("a")
            b.writeStaticString("}}")
        }
        #expect(Array(fast.readableBytesView) == Array(general.readableBytesView))
    }
}

/// `RawJSONOutput` writes into memory sized by `jsonStringBytes`: the size must be exact.
@Suite struct JSONStringSizeTests {
    @Test func theSizeIsWhatIsWrittenForEveryByteAndMixedStrings() {
        var texts = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        texts += ["", "plain", "a\"b\\c\nd\re\tf\u{0}\u{1F}", "héllo 👋 世界", String(repeating: "\u{1}\"", count: 300)]
        for text in texts {
            var buffer = ByteBuffer()
            buffer.writeJSONString(text)
            var utf8 = text
            #expect(utf8.withUTF8(RawJSONOutput.jsonStringBytes) == buffer.readableBytes, "\(Array(text.utf8))")
        }
    }
}
