import NeuroLinkProtocol
import Testing

@testable import NeuroLinkCommands

/// What `nlctl chat` makes of a typed line.
@Suite struct ChatLineTests {
    @Test(
        arguments: [
            ("Hello there", .prompt("Hello there")),
            ("  padded  ", .prompt("padded")),
            ("", .blank),
            ("   ", .blank),
            ("/model gpt-4o-mini", .model("gpt-4o-mini")),
            ("/model", .usage("/model NAME")),
            ("/provider  chat ", .provider("chat")),
            ("/system You are terse.", .system("You are terse.")),
            ("/system", .system(nil)),
            ("/clear", .clear),
            ("/tools on", .tools(true)),
            ("/tools off", .tools(false)),
            ("/tools maybe", .usage("/tools on|off")),
            ("/stats", .stats),
            ("/help", .help),
            ("/exit", .exit),
            ("/quit", .exit),
            ("/frobnicate now", .unknown("/frobnicate")),
        ] as [(String, ChatLine)]
    )
    func parse(_ text: String, _ expected: ChatLine) {
        #expect(ChatLine(text) == expected)
    }

    @Test func settingsCommandsChangeTheNextRequest() {
        var state = ChatState(session: "s1", template: .init(prompt: "", model: "a"))
        #expect(state.apply(.model("b")) == "model: b")
        _ = state.apply(.provider("p"))
        _ = state.apply(.system("Be brief."))
        _ = state.apply(.tools(true))
        let request = state.request("hi")
        #expect(request.input?.text == "hi" && request.model == "b" && request.provider == "p")
        #expect(request.systemPrompt == "Be brief." && request.enableTools == true)
        #expect(request.memory == true && request.sessionId == "s1")
        _ = state.apply(.tools(false))
        _ = state.apply(.system(nil))
        #expect(state.request("x").enableTools == nil && state.request("x").systemPrompt == nil)
        #expect(state.apply(.stats) == nil)
        #expect(state.stats == "no answer yet")
    }

    @Test func sessionIdsAreFreshAndShort() {
        let first = ChatState.newSession()
        #expect(first.hasPrefix("chat-") && first.count == 17)
        #expect(first != ChatState.newSession())
    }
}

/// The key reader libedit gets: whole UTF-8 sequences as one character.
@Suite struct UTF8KeyTests {
    static func decode(_ bytes: [UInt8]) -> [Int32?] {
        var rest = bytes[...]
        var keys: [Int32?] = []
        while !rest.isEmpty {
            keys.append(UTF8Key.decode { rest.popFirst() })
        }
        return keys
    }

    @Test func sequencesBecomeCodePoints() {
        #expect(Self.decode(Array("aé€😀".utf8)) == [0x61, 0xE9, 0x20AC, 0x1F600])
        #expect(Self.decode([0xFF]) == [UTF8Key.replacement])
        #expect(Self.decode([0xC3, 0x41]) == [UTF8Key.replacement], "a lead byte without its continuation")
        #expect(Self.decode([0xE2, 0x82]) == [nil], "the input ended inside a character")
    }
}
