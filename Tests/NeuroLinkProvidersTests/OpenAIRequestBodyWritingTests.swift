import Foundation
import NIOCore
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

@testable import NeuroLinkProviders

/// The hand-written Chat Completions body against the same body through `JSONEncoder`: the same
/// JSON value for every generated request (member order aside).
@Suite struct OpenAIRequestBodyWritingTests {
    @Test func writesWhatJSONEncoderWrites() throws {
        var random = SeededGenerator(seed: 0x6F61_6962)
        for _ in 0..<1_000 {
            let body = OpenAIRequestBody(
                Self.request(using: &random),
                useMaxCompletionTokens: Bool.random(using: &random)
            )
            var buffer = ByteBuffer()
            body.writeJSON(into: &buffer)
            let written = try JSONValue(parsing: buffer)
            let encoded = try JSONValue(parsing: String(decoding: try JSONEncoder().encode(body), as: UTF8.self))
            #expect(written == encoded, "\(String(buffer: buffer))")
        }
    }

    @Test func theSmallestBodyIsExact() {
        let request = ChatRequest(
            messages: [ChatMessage(role: "user", content: "hi")],
            model: "m",
            maxTokens: nil,
            temperature: nil,
            stream: false
        )
        var buffer = ByteBuffer()
        OpenAIRequestBody(request, useMaxCompletionTokens: false).writeJSON(into: &buffer)
        #expect(String(buffer: buffer) == #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":false}"#)
    }

    private static let words = [
        "", "hi", "a \"quoted\" word", "back\\slash", "line\nbreak", "tab\t", "\u{1}", "é 世界 😀", "a/b",
    ]

    private static func word(using random: inout SeededGenerator) -> String {
        words.randomElement(using: &random) ?? ""
    }

    static func request(using random: inout SeededGenerator) -> ChatRequest {
        let messages = (0..<Int.random(in: 1...4, using: &random)).map { _ in
            let calls: [ToolCall]? =
                Bool.random(using: &random)
                ? [
                    ToolCall(
                        id: "call_1",
                        name: "lookup",
                        arguments: .object(["q": .string(word(using: &random)), "n": .number(2.5)])
                    )
                ]
                : nil
            return ChatMessage(
                role: ["system", "user", "assistant", "tool"].randomElement(using: &random) ?? "user",
                content: Bool.random(using: &random) ? "" : word(using: &random),
                toolCalls: calls,
                toolCallId: Bool.random(using: &random) ? "call_\(word(using: &random))" : nil
            )
        }
        let tools: [ToolDefinition]? =
            Bool.random(using: &random)
            ? [
                ToolDefinition(name: "lookup", description: (Bool.random(using: &random) ? word(using: &random) : nil)),
                ToolDefinition(
                    name: "get_time",
                    parameters: .object([
                        "type": .string("object"), "properties": .object(["tz": .object(["type": .string("string")])]),
                    ])
                ),
            ] : nil
        let choices: [ToolChoice] = [.auto, .none, .required, .tool("lookup")]
        return ChatRequest(
            messages: messages,
            model: "gpt/\(word(using: &random))",
            maxTokens: (Bool.random(using: &random) ? Int.random(in: 1...100_000, using: &random) : nil),
            temperature: (Bool.random(using: &random) ? Double.random(in: 0...2, using: &random) : nil),
            stream: Bool.random(using: &random),
            tools: tools,
            toolChoice: (Bool.random(using: &random) ? choices.randomElement(using: &random) ?? .auto : nil),
            schema: (Bool.random(using: &random)
                ? .object(["type": .string("object"), "required": .array([.string("a")])]) : nil),
            topP: (Bool.random(using: &random) ? Double.random(in: 0...1, using: &random) : nil),
            stop: (Bool.random(using: &random) ? [word(using: &random), "END"] : nil),
            seed: (Bool.random(using: &random) ? Int.random(in: -1_000...1_000_000, using: &random) : nil)
        )
    }
}
