import Foundation
import LoopbackUpstream
import NeuroLinkClient
import NeuroLinkProtocol
import NeuroLinkTestSupport
import Testing

/// `nlctl top` against the real daemon: live under tmux (keys sort and quit), and as one plain
/// snapshot when its output is not a terminal.
@Suite struct TopTests {
    @Test func topRendersUnderTmuxSortsAndQuits() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "stall", .stall)
            upstreams["a"].register(model: "m", .text(["done"]))
            try await DaemonProcess.withClient(config: upstreams.config("")) { daemon, client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                try await FrameConnection.with(path: daemon.socketPath) { raw in
                    try await raw.send(
                        #"{"jsonrpc":"2.0","id":"watched-1","method":"stream","params":{"input":{"text":"x"},"provider":"a","model":"stall"}}"#
                    )
                    let command = "\(DaemonProcess.binary("nlctl")) top --socket \(daemon.socketPath)"
                    let top = try await TmuxSession.start(command, name: "top")
                    defer { top.kill() }
                    try await waitUntil { try await top.screen().contains("watched-1") }
                    let first = try await top.screen()
                    #expect(first.contains("nlctl top —") && first.contains("1 running"), "\(first)")
                    #expect(first.contains("a/stall"), "\(first)")
                    #expect(first.contains("PROVIDER") && first.contains("alerts: none firing"), "\(first)")
                    try await top.send("p")
                    try await waitUntil { try await top.screen().contains("now: provider") }
                    try await top.send("q")
                    // `q` ends nlctl, which ends the only window, which ends the session.
                    try await waitUntil { try await top.hasEnded() }
                }
            }
        }
    }

    @Test func withoutATerminalTopPrintsOneSnapshot() async throws {
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "m", .text(["done"]))
            try await DaemonProcess.withClient(config: upstreams.config("")) { daemon, client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                let run = try await runTool(DaemonProcess.binary("nlctl"), ["top", "--socket", daemon.socketPath])
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stdout.hasPrefix("nlctl top —") && !run.stdout.contains("\u{1B}["), "\(run.stdout)")
                #expect(run.stdout.contains("no running requests"))
                let line = run.stdout.split(separator: "\n").first { $0.hasPrefix("a ") }
                #expect(line?.contains("0.0%") == true, "one provider row, no errors: \(run.stdout)")
            }
        }
    }
}
