import NIOCore
@_spi(FastPath) import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// The client's fast path for text and reasoning chunks against `JSONDecoder`: for every frame,
/// the same message or the same failure.
@Suite struct ClientFastPathTests {
    enum Outcome: Equatable {
        case chunk(StreamChunk)
        case other(String)
        case failed
    }

    static func outcome(_ frame: ByteBuffer, fastPath: Bool) -> Outcome {
        guard let message = try? ClientInbound.parse(frame, fastPath: fastPath) else { return .failed }
        if case .chunk(let chunk) = message { return .chunk(chunk) }
        return .other("\(message)")
    }

    @Test func theDaemonsContentFramesTakeTheFastPath() {
        var frame = ByteBuffer()
        Frames.writeContentChunk(into: &frame, requestId: .number(7), seq: 3, type: .text, content: "héllo \"x\"\n")
        frame.moveReaderIndex(forwardBy: 4)
        let expected = StreamChunk(requestId: .number(7), seq: 3, type: .text, content: "héllo \"x\"\n")
        #expect(Self.outcome(frame, fastPath: true) == .chunk(expected))
        #expect(Self.outcome(frame, fastPath: false) == .chunk(expected))
    }

    @Test func generatedFramesDecodeAsJSONDecoderDecodesThem() {
        var random = SeededGenerator(seed: 0x636C_6965)
        var fast = 0
        for _ in 0..<5_000 {
            let text = Self.frame(using: &random)
            let frame = ByteBuffer(string: text)
            let outcome = Self.outcome(frame, fastPath: true)
            #expect(outcome == Self.outcome(frame, fastPath: false), "\(text)")
            if case .chunk(let chunk) = outcome, chunk.type == .text || chunk.type == .reasoning { fast += 1 }
        }
        #expect(fast > 1_000)
    }

    private static func pick(_ choices: [String], using random: inout SeededGenerator) -> String {
        choices.randomElement(using: &random) ?? ""
    }

    /// A chunk frame in the daemon's shape, and now and then with a member of another type, in
    /// another order, repeated, or one that `StreamChunk` decodes in other chunks.
    static func frame(using random: inout SeededGenerator) -> String {
        let ids = [#""r-1""#, "7", "0", "-0", "1.0", "1e2", "1.5", "9007199254740993", "true", "null", #""""#]
        let seqs = ["0", "12", "1.0", "-1", "2.5", "1e1", #""3""#, "null", "99999999999999999999"]
        let types = [#""text""#, #""reasoning""#, #""finish""#, #""notice""#, #""future""#, "5", "null"]
        let contents = [#""hi""#, #""h\u00e9 \"q\"""#, #""""#, "null", "5", #"["a"]"#]
        var members = [
            (#""requestId""#, random.next() % 5 == 0 ? pick(ids, using: &random) : #""r-1""#),
            (#""seq""#, random.next() % 5 == 0 ? pick(seqs, using: &random) : "4"),
            (#""type""#, random.next() % 4 == 0 ? pick(types, using: &random) : #""text""#),
        ]
        if random.next() % 8 != 0 { members.append((#""content""#, pick(contents, using: &random))) }
        if random.next() % 6 == 0 {
            members.append(
                (
                    pick([#""finishReason""#, #""usage""#, #""extra""#, #""content""#, #""seq""#], using: &random),
                    pick([#""stop""#, "null", "{}", "1"], using: &random)
                )
            )
        }
        members.shuffle(using: &random)
        let params = "{" + members.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"
        let method = random.next() % 10 == 0 ? pick([#""other""#, "5", "null"], using: &random) : #""stream.chunk""#
        var top = [(#""jsonrpc""#, #""2.0""#), (#""method""#, method), (#""params""#, params)]
        if random.next() % 10 == 0 { top.append((#""id""#, "1")) }
        top.shuffle(using: &random)
        return "{" + top.map { "\($0.0):\($0.1)" }.joined(separator: ",") + "}"
    }
}
