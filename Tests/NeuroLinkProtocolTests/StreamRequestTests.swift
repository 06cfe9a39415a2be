import Foundation
import NeuroLinkProtocol
import Testing

private func json(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

@Suite struct StreamRequestTests {
    struct InvalidCase: Sendable, CustomTestStringConvertible {
        var params: String
        /// A fragment the error message must contain: the offending field.
        var field: String
        var testDescription: String { params }
    }

    static let invalid: [InvalidCase] = [
        InvalidCase(params: "{}", field: "input.text or messages"),
        InvalidCase(params: #"{"model":"m"}"#, field: "input.text or messages"),
        InvalidCase(params: #"{"input":null,"messages":null}"#, field: "input.text or messages"),
        InvalidCase(
            params: #"{"input":{"text":"a"},"messages":[{"role":"user","content":"b"}]}"#,
            field: "input or messages"
        ),
        InvalidCase(params: #"{"input":{"text":""}}"#, field: "params.input.text"),
        InvalidCase(params: #"{"input":"hello"}"#, field: "params.input"),
        InvalidCase(params: #"{"input":{"text":5}}"#, field: "params.input"),
        InvalidCase(params: #"{"messages":[]}"#, field: "params.messages"),
        InvalidCase(params: #"{"messages":{"role":"user"}}"#, field: "params.messages"),
        InvalidCase(params: #"{"messages":[{"role":"bot","content":"x"}]}"#, field: "params.messages[0].role"),
        InvalidCase(
            params: #"{"messages":[{"role":"user","content":"x"},{"content":"y"}]}"#,
            field: "params.messages[1].role"
        ),
        InvalidCase(params: #"{"messages":[{"role":"user","content":1}]}"#, field: "params.messages[0].content"),
        InvalidCase(params: #"{"input":{"text":"a"},"max_tokens":10}"#, field: "params.max_tokens"),
        InvalidCase(params: #"{"input":{"text":"a"},"maxTokens":0}"#, field: "params.maxTokens"),
        InvalidCase(params: #"{"input":{"text":"a"},"maxTokens":1.5}"#, field: "params.maxTokens"),
        InvalidCase(params: #"{"input":{"text":"a"},"maxTokens":"10"}"#, field: "params.maxTokens"),
        InvalidCase(params: #"{"input":{"text":"a"},"maxTokens":-3}"#, field: "params.maxTokens"),
        InvalidCase(params: #"{"input":{"text":"a"},"maxTokens":10000001}"#, field: "params.maxTokens"),
        InvalidCase(params: #"{"input":{"text":"a"},"temperature":3}"#, field: "params.temperature"),
        InvalidCase(params: #"{"input":{"text":"a"},"temperature":-0.1}"#, field: "params.temperature"),
        InvalidCase(params: #"{"input":{"text":"a"},"temperature":"1"}"#, field: "params.temperature"),
        InvalidCase(params: #"{"input":{"text":"a"},"topP":1.5}"#, field: "params.topP must be a number from 0 to 1"),
        InvalidCase(params: #"{"input":{"text":"a"},"topP":-0.1}"#, field: "params.topP"),
        InvalidCase(params: #"{"input":{"text":"a"},"topP":"0.9"}"#, field: "params.topP"),
        InvalidCase(params: #"{"input":{"text":"a"},"top_p":0.9}"#, field: "params.top_p is not a known parameter"),
        InvalidCase(params: #"{"input":{"text":"a"},"stop":""}"#, field: "params.stop must be a string or an array"),
        InvalidCase(params: #"{"input":{"text":"a"},"stop":[]}"#, field: "params.stop"),
        InvalidCase(params: #"{"input":{"text":"a"},"stop":["END",""]}"#, field: "params.stop"),
        InvalidCase(params: #"{"input":{"text":"a"},"stop":["END",7]}"#, field: "params.stop"),
        InvalidCase(params: #"{"input":{"text":"a"},"stop":[["END"]]}"#, field: "params.stop"),
        InvalidCase(params: #"{"input":{"text":"a"},"stop":7}"#, field: "params.stop"),
        InvalidCase(params: #"{"input":{"text":"a"},"stop":{"text":"END"}}"#, field: "params.stop"),
        InvalidCase(
            params: #"{"input":{"text":"a"},"stop":[\#((1...17).map { "\"s\($0)\"" }.joined(separator: ","))]}"#,
            field: "params.stop"
        ),
        InvalidCase(
            params: #"{"input":{"text":"a"},"stop":"\#(String(repeating: "x", count: 257))"}"#,
            field: "params.stop"
        ),
        InvalidCase(params: #"{"input":{"text":"a"},"seed":1.5}"#, field: "params.seed must be an integer"),
        InvalidCase(params: #"{"input":{"text":"a"},"seed":"42"}"#, field: "params.seed"),
        InvalidCase(params: #"{"input":{"text":"a"},"seed":true}"#, field: "params.seed"),
        InvalidCase(params: #"{"input":{"text":"a"},"seed":9007199254740992}"#, field: "params.seed"),
        InvalidCase(params: #"{"input":{"text":"a"},"seed":-9007199254740992}"#, field: "params.seed"),
        InvalidCase(params: #"{"input":{"text":"a"},"seed":1e300}"#, field: "params.seed"),
        InvalidCase(params: #"{"input":{"text":"a"},"timeoutMs":-1}"#, field: "params.timeoutMs"),
        InvalidCase(params: #"{"input":{"text":"a"},"timeoutMs":0}"#, field: "params.timeoutMs"),
        InvalidCase(params: #"{"input":{"text":"a"},"context":"user-1"}"#, field: "params.context"),
        InvalidCase(params: #"{"input":{"text":"a"},"context":[1]}"#, field: "params.context"),
        InvalidCase(params: #"{"input":{"text":"a"},"provider":""}"#, field: "params.provider"),
        InvalidCase(params: #"{"input":{"text":"a"},"model":7}"#, field: "params.model"),
        InvalidCase(params: #"{"input":{"text":"a"},"systemPrompt":false}"#, field: "params.systemPrompt"),
        InvalidCase(params: #"{"input":{"text":"a"},"enableEvaluation":"yes"}"#, field: "params.enableEvaluation"),
        InvalidCase(params: #"{"input":{"text":"a"},"evaluationDomain":""}"#, field: "params.evaluationDomain"),
        InvalidCase(params: #"{"input":{"text":"a"},"evaluationDomain":"a\nb"}"#, field: "params.evaluationDomain"),
        InvalidCase(
            params: #"{"input":{"text":"a"},"evaluationDomain":"\#(String(repeating: "x", count: 201))"}"#,
            field: "params.evaluationDomain"
        ),
        InvalidCase(params: "[]", field: "params must be an object"),
        InvalidCase(params: #""text""#, field: "params must be an object"),
    ]

    @Test(arguments: invalid)
    func rejects(_ c: InvalidCase) throws {
        let value = try json(c.params)
        let error = #expect(throws: RPCError.self) { try StreamRequest(json: value) }
        #expect(error?.type == .invalidParams)
        #expect(error?.code == -32602)
        #expect(error?.message.contains(c.field) == true, "message: \(error?.message ?? "-")")
    }

    @Test func rejectsMissingParams() {
        let error = #expect(throws: RPCError.self) { try StreamRequest(json: nil) }
        #expect(error?.type == .invalidParams)
    }

    @Test func parsesFullRequest() throws {
        let value = try json(
            #"""
            {"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"héllo 👋"},
                         {"role":"assistant","content":"hi"}],
             "provider":"openai","model":"gpt-4o-mini","maxTokens":256,"temperature":0.25,
             "systemPrompt":"sys","timeoutMs":30000,
             "context":{"userId":"u1","n":3,"tags":["a"],"nested":{"ok":true},"nothing":null}}
            """#
        )
        let request = try StreamRequest(json: value)
        let expected = StreamRequest(
            messages: [
                ChatMessage(role: "system", content: "be brief"), ChatMessage(role: "user", content: "héllo 👋"),
                ChatMessage(role: "assistant", content: "hi"),
            ],
            provider: "openai",
            model: "gpt-4o-mini",
            maxTokens: 256,
            temperature: 0.25,
            systemPrompt: "sys",
            timeoutMs: 30000,
            context: [
                "userId": .string("u1"), "n": .number(3), "tags": .array([.string("a")]),
                "nested": .object(["ok": .bool(true)]), "nothing": .null,
            ]
        )
        #expect(request == expected)
    }

    @Test func parsesMinimalPrompt() throws {
        let request = try StreamRequest(json: try json(#"{"input":{"text":"hi"}}"#))
        #expect(request == StreamRequest(prompt: "hi"))
        #expect(request.maxTokens == nil && request.temperature == nil && request.context == nil)
    }

    @Test(arguments: [
        (#"{"input":{"text":"a"},"maxTokens":1}"#, 1),
        (#"{"input":{"text":"a"},"maxTokens":10000000}"#, 10_000_000),
        (#"{"input":{"text":"a"},"maxTokens":2.0}"#, 2),
    ])
    func acceptsMaxTokensAtBounds(_ params: String, _ expected: Int) throws {
        #expect(try StreamRequest(json: try json(params)).maxTokens == expected)
    }

    @Test(arguments: [0.0, 2.0, 1.0])
    func acceptsTemperatureAtBounds(_ temperature: Double) throws {
        let request = try StreamRequest(
            json: .object(["input": .object(["text": .string("a")]), "temperature": .number(temperature)])
        )
        #expect(request.temperature == temperature)
    }

    @Test(arguments: [0.0, 1.0, 0.9])
    func acceptsTopPAtBounds(_ topP: Double) throws {
        let request = try StreamRequest(json: try json(#"{"input":{"text":"a"},"topP":\#(topP)}"#))
        #expect(request.topP == topP)
    }

    @Test(arguments: [
        (#""END""#, ["END"]),
        (#"["END"]"#, ["END"]),
        (#"["\n\n","Human:","---"]"#, ["\n\n", "Human:", "---"]),
        (
            "[" + (1...16).map { #""s\#($0)""# }.joined(separator: ",") + "]",
            (1...16).map { "s\($0)" }
        ),
        (#""\#(String(repeating: "é", count: 256))""#, [String(repeating: "é", count: 256)]),
    ])
    func acceptsStopAsStringOrList(_ stop: String, _ expected: [String]) throws {
        let request = try StreamRequest(json: try json(#"{"input":{"text":"a"},"stop":\#(stop)}"#))
        #expect(request.stop == expected)
    }

    @Test(arguments: [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("4.2e1", 42),
        ("9007199254740991", 9_007_199_254_740_991),
        ("-9007199254740991", -9_007_199_254_740_991),
    ])
    func acceptsSeedAtBounds(_ seed: String, _ expected: Int) throws {
        let request = try StreamRequest(json: try json(#"{"input":{"text":"a"},"seed":\#(seed)}"#))
        #expect(request.seed == expected)
    }

    @Test func samplingParamsAreOptional() throws {
        let request = try StreamRequest(
            json: try json(#"{"input":{"text":"a"},"topP":null,"stop":null,"seed":null}"#)
        )
        #expect(request == StreamRequest(prompt: "a"))
        #expect(request.topP == nil && request.stop == nil && request.seed == nil)
    }

    @Test func samplingParamsSurviveTheClientEncoding() throws {
        var request = StreamRequest(prompt: "a")
        request.topP = 0.5
        request.stop = ["END"]
        request.seed = 9_007_199_254_740_991
        let encoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(request))
        #expect(try StreamRequest(json: encoded) == request)
    }

    @Test func nullOptionalFieldsAreIgnored() throws {
        let request = try StreamRequest(
            json: try json(
                #"{"input":{"text":"a"},"provider":null,"model":null,"maxTokens":null,"temperature":null,"timeoutMs":null,"context":null,"messages":null}"#
            )
        )
        #expect(request == StreamRequest(prompt: "a"))
    }
}
