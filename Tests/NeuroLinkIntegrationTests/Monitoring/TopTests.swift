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
        let tmux = try requiredTool("/usr/bin/tmux", package: "tmux")
        try await Upstreams.with(["a"]) { upstreams in
            upstreams["a"].register(model: "stall", .stall)
            upstreams["a"].register(model: "m", .text(["done"]))
            try await DaemonProcess.withClient(config: upstreams.config("")) { daemon, client in
                _ = try await client.generate(StreamRequest(prompt: "x", provider: "a"))
                try await FrameConnection.with(path: daemon.socketPath) { raw in
                    try await raw.send(
                        #"{"jsonrpc":"2.0","id":"watched-1","method":"stream","params":{"input":{"text":"x"},"provider":"a","model":"stall"}}"#
                    )
                    let server = "nl-top-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                    let command = "\(DaemonProcess.binary("nlctl")) top --socket \(daemon.socketPath)"
                    // Through Python's subprocess, which closes every inherited descriptor: the tmux
                    // server would otherwise keep runTool's pipes (and this test) waiting forever.
                    let start = try await runTool(
                        "/usr/bin/python3",
                        [
                            "-c",
                            "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)",
                            tmux, "-L", server, "new-session", "-d", "-s", "top", "-x", "160", "-y", "40", command,
                        ]
                    )
                    #expect(start.status == 0)
                    defer {
                        _ = try? Process.run(URL(fileURLWithPath: tmux), arguments: ["-L", server, "kill-server"])
                    }
                    let screen = { try await runTool(tmux, ["-L", server, "capture-pane", "-p", "-t", "top"]).stdout }
                    try await waitUntil { try await screen().contains("watched-1") }
                    let first = try await screen()
                    #expect(first.contains("nlctl top —") && first.contains("1 running"), "\(first)")
                    #expect(first.contains("a/stall"), "\(first)")
                    #expect(first.contains("PROVIDER") && first.contains("alerts: none firing"), "\(first)")
                    _ = try await runTool(tmux, ["-L", server, "send-keys", "-t", "top", "p"])
                    try await waitUntil { try await screen().contains("now: provider") }
                    _ = try await runTool(tmux, ["-L", server, "send-keys", "-t", "top", "q"])
                    // `q` ends nlctl, which ends the only window, which ends the session.
                    try await waitUntil {
                        try await runTool(tmux, ["-L", server, "has-session", "-t", "top"]).status != 0
                    }
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
