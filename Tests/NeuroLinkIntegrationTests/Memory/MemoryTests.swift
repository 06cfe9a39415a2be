import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import Testing

/// Conversation memory through the real daemon: a session's turns are prepended to its next
/// requests, survive a restart, stay within their tenant, and `nlctl memory` lists, shows and
/// forgets them.
@Suite struct MemoryTests {
    static func ask(_ text: String, session: String) -> StreamRequest {
        var request = StreamRequest(prompt: text, context: ["sessionId": .string(session)])
        request.memory = true
        return request
    }

    /// The `messages` of the upstream's last chat request, as `role: content` lines.
    static func lastMessages(_ upstream: LoopbackUpstream) throws -> [String] {
        let body = try #require(upstream.requests().last(where: { $0.method == "POST" })?.body)
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        return (json["messages"]?.arrayValue ?? []).map {
            "\($0["role"]?.stringValue ?? "?"): \($0["content"]?.stringValue ?? "")"
        }
    }

    @Test func threeTurnsAreRememberedAcrossARestartAndForgottenOnRequest() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["Noted."])))
            let config = loopConfig(upstream.baseURL)
            let directory = try DaemonProcess.makeDirectory()
            let first = try await DaemonProcess(config: config, directory: directory)
            try await NeuroLinkClient.withConnection(socketPath: first.socketPath) { client in
                _ = try await client.generate(Self.ask("My name is Ada.", session: "s1"))
                _ = try await client.generate(Self.ask("I live in Paris.", session: "s1"))
                _ = try await client.generate(Self.ask("What is my name?", session: "s1"))
                #expect(
                    try Self.lastMessages(upstream) == [
                        "user: My name is Ada.", "assistant: Noted.", "user: I live in Paris.", "assistant: Noted.",
                        "user: What is my name?",
                    ]
                )
                _ = try await client.generate(Self.ask("Who am I?", session: "s2"))
                #expect(try Self.lastMessages(upstream) == ["user: Who am I?"], "another session starts empty")
                _ = try await client.generate(
                    StreamRequest(prompt: "No memory here", context: ["sessionId": .string("s1")])
                )
                #expect(try Self.lastMessages(upstream) == ["user: No memory here"], "memory is opt-in by default")
            }
            first.send(SIGTERM)
            #expect(await first.waitForExit(timeout: .seconds(15)) == 0)

            try await DaemonProcess.withClient(config: config, directory: directory) { second, client in
                _ = try await client.generate(Self.ask("Where do I live?", session: "s1"))
                let messages = try Self.lastMessages(upstream)
                #expect(messages.count == 7 && messages.first == "user: My name is Ada.", "\(messages)")

                let sessions = try await client.memoryList().map(\.sessionId).sorted()
                #expect(sessions == ["s1", "s2"])
                let nlctl = DaemonProcess.binary("nlctl")
                let shown = try await runTool(nlctl, ["memory", "show", "--socket", second.socketPath, "s1"])
                #expect(shown.status == 0 && shown.stdout.hasPrefix("[user] My name is Ada.\n"), "\(shown)")
                let cleared = try await runTool(nlctl, ["memory", "clear", "--socket", second.socketPath, "s1"])
                #expect(cleared.status == 0 && cleared.stdout.contains("forgot session s1"), "\(cleared)")
                _ = try await client.generate(Self.ask("Who am I?", session: "s1"))
                #expect(try Self.lastMessages(upstream) == ["user: Who am I?"])
                let bad = await #expect(throws: RPCError.self) {
                    try await client.generate(Self.ask("x", session: String(repeating: "s", count: 200)))
                }
                #expect(bad?.type == .invalidParams)
            }
        }
    }

    @Test func twoTenantsWithTheSameSessionIdNeverShareIt() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["Noted."])))
            let config = loopConfig(upstream.baseURL, extra: "server:\n  socket_mode: \"0666\"\n")
            try await DaemonProcess.withClient(config: config) { daemon, client in
                _ = try await client.generate(Self.ask("The launch code is 0000.", session: "shared"))
                let other = try await TenantLimitTests.nlctlAsOtherUser(
                    ["generate", "--socket", daemon.socketPath, "--session", "shared", "What is the launch code?"]
                )
                #expect(other.status == 0, "\(other.stderr)")
                #expect(try Self.lastMessages(upstream) == ["user: What is the launch code?"], "no root history")
                let listed = try await TenantLimitTests.nlctlAsOtherUser(
                    ["memory", "show", "--socket", daemon.socketPath, "shared"]
                )
                #expect(!listed.stdout.contains("launch code is"), "\(listed.stdout)")
                #expect(listed.stdout.contains("What is the launch code?"), "its own session: \(listed.stdout)")
            }
        }
    }
}
