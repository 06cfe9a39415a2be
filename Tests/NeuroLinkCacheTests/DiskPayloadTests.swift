import Foundation
import NeuroLinkCore
import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCache

/// A row's payload: the hand-written JSON decodes to the answer it was written from, exactly as the encoder's
/// output does, and zlib streams of every size (and of the settings rows were written with before) round-trip.
@Suite struct DiskPayloadTests {
    static let awkwardTexts = [
        "", "plain", "quote \" backslash \\ slash /", "controls \u{0}\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}",
        "é ü ß 中文 🙂 e\u{301} 👩‍👩‍👧", "line\u{2028}separator\u{2029}", String(repeating: "long ", count: 2_000),
    ]

    static func answers() -> [CachedAnswer] {
        var answers: [CachedAnswer] = []
        let usages: [Usage?] = [
            nil, Usage(inputTokens: 5, outputTokens: 7),
            Usage(inputTokens: 1, outputTokens: 2, totalTokens: 4, cachedInputTokens: 3, reasoningTokens: 0),
            Usage(inputTokens: Usage.maxTokens, outputTokens: 9, estimated: true),
            Usage(inputTokens: 0, outputTokens: 0, estimated: false),
        ]
        let object = JSONValue.object([
            "a": .array([.number(1), .number(-2.5), .number(1e300), .null, .bool(true), .string("x\"y")]),
            "nested": .object(["": .string("é"), "n": .number(0.1)]),
        ])
        for (index, usage) in usages.enumerated() {
            let chunks: [CachedChunk] =
                Self.awkwardTexts.map { CachedChunk.text($0) } + [.reasoning("thinking \u{0} \"x\""), .object(object)]
            answers.append(
                CachedAnswer(
                    batches: [
                        .init(offsetMs: 0, chunks: Array(chunks.prefix(3))),
                        .init(offsetMs: 12.345, chunks: Array(chunks.dropFirst(3))),
                        .init(offsetMs: 1e9 + 0.5, chunks: []),
                    ],
                    finishReason: index.isMultiple(of: 2) ? .stop : FinishReason(rawValue: "a \"new\" reason"),
                    usage: usage,
                    provider: "prov\u{1}ider",
                    model: "model/🙂",
                    maxTokens: index.isMultiple(of: 3) ? nil : index * 1_000,
                    createdAt: 1_764_950_400.123_456 + Double(index),
                    expiresAt: index == 1 ? 1_764_954_000 : 1_764_954_000.5
                )
            )
        }
        answers.append(
            CachedAnswer(
                batches: [],
                finishReason: .length,
                usage: nil,
                provider: "",
                model: "",
                maxTokens: 0,
                createdAt: 0,
                expiresAt: -1.5
            )
        )
        return answers
    }

    @Test(arguments: answers())
    func theWrittenJSONDecodesToTheAnswerAsTheEncodersDoes(_ answer: CachedAnswer) throws {
        let written = try #require(answer.writtenJSON(), "text, reasoning and objects are written by hand")
        let decoded = try JSONDecoder().decode(CachedAnswer.self, from: Data(written))
        #expect(decoded == answer)
        let encoded = try JSONDecoder().decode(CachedAnswer.self, from: JSONEncoder().encode(answer))
        #expect(decoded == encoded)
    }

    @Test func toolCallsAndNumbersTheEncoderRefusesAreLeftToTheEncoder() throws {
        var answer = try #require(Self.answers().first)
        answer.batches[0].chunks.append(
            .toolCall(ToolCall(id: "call_1", name: "lookup", arguments: .object(["q": .string("x")])))
        )
        #expect(answer.writtenJSON() == nil)
        #expect(try JSONDecoder().decode(CachedAnswer.self, from: Data(answer.diskJSON())) == answer)

        var endless = try #require(Self.answers().first)
        endless.expiresAt = .infinity
        #expect(endless.writtenJSON() == nil)
        #expect(throws: (any Error).self) { try endless.diskJSON() }
        endless.expiresAt = 1
        endless.batches[1].offsetMs = .nan
        #expect(endless.writtenJSON() == nil)
    }

    @Test(arguments: [0, 1, 511, 512, 513, 4_000, 40_000, 1 << 20])
    func payloadsOfEverySizeRoundTrip(_ count: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Array(String(repeating: #"{"text":{"_0":"tok "}}"#, count: count / 22 + 1).utf8.prefix(count))
        for bytes in [noise, text] {
            let compressed = try Deflate.compress(bytes)
            #expect(try Deflate.decompress(compressed, originalSize: bytes.count) == bytes)
        }
    }

    @Test func theWindowHoldsThePayloadUpToZlibsLargest() {
        #expect(Deflate.sizing(0) == (9, 2))
        #expect(Deflate.sizing(512) == (9, 2))
        #expect(Deflate.sizing(513) == (10, 3))
        #expect(Deflate.sizing(1_619) == (11, 4))
        #expect(Deflate.sizing(32_768) == (15, 8))
        #expect(Deflate.sizing(1 << 30) == (15, 8))
    }

    /// A row written before the window was sized: `zlib.compress(payload, 6)`, a 32 KB window.
    @Test func rowsCompressedWithZlibsDefaultsStillRead() throws {
        let payload = Array(
            #"{"batches":[{"offsetMs":0,"chunks":[{"text":{"_0":"hello hello hello"}}]}],"finishReason":"stop"}"#.utf8
        )
        let stored: [UInt8] = [
            120, 156, 171, 86, 74, 74, 44, 73, 206, 72, 45, 86, 178, 138, 174, 86, 202, 79, 75, 43, 78, 45, 241, 5, 114,
            12, 116, 148, 146, 51, 74, 243, 178, 33, 226, 37, 169, 21, 37, 74, 86, 213, 74, 241, 6, 74, 86, 74, 25, 169,
            57, 57, 249, 10, 72, 164, 82, 109, 109, 108, 109, 172, 142, 82, 90, 102, 94, 102, 113, 70, 80, 106, 98, 113,
            126, 30, 80, 93, 113, 73, 126, 129, 82, 45, 0, 85, 72, 33, 129,
        ]
        #expect(try Deflate.decompress(stored, originalSize: payload.count) == payload)
    }
}
