import NeuroLinkProtocol
import NeuroLinkProviders
import Testing

@testable import NeuroLinkCore

/// The exact key covers everything that shapes an answer, and nothing else.
@Suite struct CacheKeyTests {
    static let chat = ChatRequest(
        messages: [
            ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi"),
            ChatMessage(role: "assistant", content: "Hello"), ChatMessage(role: "user", content: "Why?"),
        ],
        model: "m",
        maxTokens: 100,
        temperature: 0,
        tools: [ToolDefinition(name: "lookup", parameters: .object(["type": .string("object")]))],
        schema: .object(["type": .string("object"), "minProperties": .number(1)])
    )

    static func key(
        scope: String = "tenant:alice",
        target: String = "p/m",
        model: String? = nil,
        chat: ChatRequest = chat,
        params: StreamRequest = StreamRequest(prompt: "x")
    ) -> CacheKey {
        CacheKey.make(scope: scope, target: target, model: model, chat: chat, params: params)
    }

    @Test func theSameRequestHasTheSameKeyAndMaxTokensIsNotPartOfIt() {
        var other = Self.chat
        other.maxTokens = 5000
        #expect(Self.key() == Self.key(chat: other))
        #expect(Self.key().hex.count == 64)
    }

    @Test func everyFieldThatShapesTheAnswerChangesTheKey() {
        let base = Self.key()
        var changes: [(String, CacheKey)] = [
            ("tenant", Self.key(scope: "tenant:bob")),
            ("global scope", Self.key(scope: "global")),
            ("provider", Self.key(target: "q/m")),
            ("model", Self.key(model: "m2")),
        ]
        func chat(_ change: (inout ChatRequest) -> Void) -> CacheKey {
            var chat = Self.chat
            change(&chat)
            return Self.key(chat: chat)
        }
        changes += [
            ("system prompt", chat { $0.messages[0].content = "Be long." }),
            ("an earlier turn", chat { $0.messages[1].content = "Hey" }),
            ("the last turn", chat { $0.messages[3].content = "Why not?" }),
            ("a role", chat { $0.messages[2].role = "user" }),
            ("a tool", chat { $0.tools = [ToolDefinition(name: "search")] }),
            ("tool parameters", chat { $0.tools?[0].parameters = .object(["type": .string("array")]) }),
            ("tool choice", chat { $0.toolChoice = .required }),
            ("schema", chat { $0.schema = .object(["type": .string("array")]) }),
            ("temperature", chat { $0.temperature = 0.5 }),
            ("no temperature", chat { $0.temperature = nil }),
        ]
        func params(_ change: (inout StreamRequest) -> Void) -> CacheKey {
            var params = StreamRequest(prompt: "x")
            change(&params)
            return Self.key(params: params)
        }
        changes += [
            ("top-p", params { $0.topP = 0.9 }),
            ("stop", params { $0.stop = ["END"] }),
            ("seed", params { $0.seed = 42 }),
            ("another seed", params { $0.seed = 43 }),
        ]
        for (name, key) in changes { #expect(key != base, "changing \(name) must change the key") }
        #expect(Set(changes.map(\.1)).count == changes.count, "every change gives its own key")
    }

    @Test func numbersAndKeyOrderAreNormalised() {
        var a = Self.chat
        a.schema = .object(["minProperties": .number(1), "type": .string("object")])
        var b = Self.chat
        b.schema = .object(["type": .string("object"), "minProperties": .number(1.0)])
        #expect(Self.key(chat: a) == Self.key(chat: b))
        var zero = Self.chat
        zero.temperature = -0.0
        #expect(Self.key(chat: zero) == Self.key())
    }

    @Test func fieldsCannotRunIntoEachOther() {
        var a = Self.chat
        a.messages = [ChatMessage(role: "user", content: "ab"), ChatMessage(role: "user", content: "c")]
        var b = Self.chat
        b.messages = [ChatMessage(role: "user", content: "a"), ChatMessage(role: "user", content: "bc")]
        #expect(Self.key(chat: a) != Self.key(chat: b))
    }
}
