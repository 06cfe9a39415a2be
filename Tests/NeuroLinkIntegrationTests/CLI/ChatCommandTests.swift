import Foundation
import LoopbackUpstream
import NeuroLinkProtocol
import Testing

/// `nlctl chat` against the real daemon: piped (one prompt per line, memory across turns) and
/// in a real terminal under tmux (streaming, Ctrl-C, history, /exit).
@Suite struct ChatCommandTests {
    /// The `messages` of each chat request the upstream received, as `role: content` lines.
    static func conversations(_ upstream: LoopbackUpstream) throws -> [[String]] {
        try upstream.requests().filter { $0.method == "POST" }.map { request in
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(request.body))
            return (json["messages"]?.arrayValue ?? []).map {
                "\($0["role"]?.stringValue ?? "?"): \($0["content"]?.stringValue ?? "")"
            }
        }
    }

    @Test func pipedTwoLinesGiveTwoAnswersAndTheSecondRemembersTheFirst() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["Noted", "."])))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let run = try await runTool(
                    DaemonProcess.binary("nlctl"),
                    ["chat", "--socket", daemon.socketPath, "--session", "piped-1"],
                    stdin: "My name is Ada.\nWhat is my name?\n"
                )
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stdout == "Noted.\nNoted.\n")
                #expect(run.stderr.contains("session piped-1"), "\(run.stderr)")
                let conversations = try Self.conversations(upstream)
                #expect(conversations.count == 2)
                #expect(
                    conversations.last == ["user: My name is Ada.", "assistant: Noted.", "user: What is my name?"],
                    "\(conversations)"
                )
            }
        }
    }

    @Test func pipedCommandsChangeTheModelAndClearTheSession() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["default"])))
            upstream.register(model: "other", .stream(OpenAIStream(pieces: ["other"])))
            upstream.register(model: "bad", .openAIError(status: 400, message: "no such model"))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let run = try await runTool(
                    DaemonProcess.binary("nlctl"),
                    ["chat", "--socket", daemon.socketPath],
                    stdin: "one\n/model other\n/stats\ntwo\n/clear\n/nope\nthree\n/model bad\nfour\n"
                )
                #expect(run.status == 3, "the last answer failed upstream: \(run.stderr)")
                #expect(run.stdout == "default\nother\nother\n", "\(run.stdout)")
                #expect(run.stderr.contains("nlctl chat: session chat-"), "\(run.stderr)")
                #expect(run.stderr.contains("model: other") && run.stderr.contains("loop/loop-model"), "\(run.stderr)")
                #expect(run.stderr.contains("forgot the conversation"), "\(run.stderr)")
                #expect(run.stderr.contains("unknown command /nope") && run.stderr.contains("/tools on|off"))
                #expect(run.stderr.contains("upstream_invalid_request"), "\(run.stderr)")
                let conversations = try Self.conversations(upstream)
                #expect(conversations[2] == ["user: three"], "/clear forgot the turns: \(conversations)")
            }
        }
    }

    @Test func inATerminalAnswersStreamCtrlCStopsOneAndExitLeaves() async throws {
        try await LoopbackUpstream.with { upstream in
            upstream.setDefault(.stream(OpenAIStream(pieces: ["Hello", " from", " the chat"])))
            let slow = OpenAIStream(pieces: Array(repeating: "tick ", count: 400), delay: .milliseconds(50))
            upstream.register(model: "slow", .stream(slow))
            try await DaemonProcess.with(config: loopConfig(upstream.baseURL)) { daemon in
                let command = "exec \(DaemonProcess.binary("nlctl")) chat --socket \(daemon.socketPath) --session tty-1"
                let chat = try await TmuxSession.start(command, name: "chat")
                defer { chat.kill() }
                try await chat.waitForScreen { $0.contains("session tty-1") && Self.prompts($0) == 1 }
                try await chat.send("Hi there", "Enter")
                try await chat.waitForScreen { $0.contains("Hello from the chat") && Self.prompts($0) == 2 }

                try await chat.send("/model slow", "Enter")
                try await chat.send("Count slowly", "Enter")
                try await chat.waitForScreen { $0.contains("tick tick") }
                try await chat.send("C-c")
                let stopped = try await chat.waitForScreen { $0.contains("[interrupted]") && Self.prompts($0) == 4 }
                let closed = await upstream.waitForConnectionClose(model: "slow", timeout: .seconds(5))
                #expect(closed?.clientClosedAt != nil, "the daemon closed the upstream request")
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await chat.screen() == stopped, "nothing more of the answer came")

                // Ctrl-C at the prompt empties the line; the up arrow recalls earlier lines.
                try await chat.send("a draft")
                try await chat.waitForScreen { Self.lastLine($0) == "you> a draft" }
                try await chat.send("C-c")
                try await chat.waitForScreen { Self.lastLine($0) == "you>" }
                try await chat.send("Up")
                try await chat.waitForScreen { Self.lastLine($0) == "you> Count slowly" }
                try await chat.send("C-u", "/exit", "Enter")
                try await waitUntil { try await chat.hasEnded() }
                #expect(try await chat.hasEnded(), "/exit ended nlctl")
            }
        }
    }

    static func prompts(_ screen: String) -> Int {
        screen.split(separator: "\n").filter { $0.hasPrefix("you> ") || $0 == "you>" }.count
    }

    static func lastLine(_ screen: String) -> String {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: true)
        return lines.last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }
}
