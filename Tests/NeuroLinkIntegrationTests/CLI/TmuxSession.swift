import Foundation

/// A program in a detached tmux session on a private tmux server: a real terminal for tests of
/// interactive commands. Call ``kill()`` when done (the server outlives the test otherwise).
struct TmuxSession: Sendable {
    let tmux: String
    let server: String
    let name: String

    /// Starts `command` (run by tmux's shell) in a `width` × `height` terminal.
    static func start(_ command: String, name: String, width: Int = 160, height: Int = 40) async throws -> TmuxSession {
        let tmux = try requiredTool("/usr/bin/tmux", package: "tmux")
        let session = TmuxSession(
            tmux: tmux,
            server: "nl-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))",
            name: name
        )
        // Through Python's subprocess, which closes every inherited descriptor: the tmux
        // server would otherwise keep runTool's pipes (and this test) waiting forever.
        let started = try await runTool(
            "/usr/bin/python3",
            [
                "-c",
                "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)",
                tmux, "-L", session.server, "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                command,
            ]
        )
        guard started.status == 0 else { throw DaemonProcessError(message: "tmux did not start: \(started)") }
        return session
    }

    /// The visible screen, one line per row.
    func screen() async throws -> String {
        try await runTool(tmux, ["-L", server, "capture-pane", "-p", "-t", name]).stdout
    }

    /// Types `keys` (tmux key names, e.g. `Enter`, `C-c`, `Up`, or literal text).
    func send(_ keys: String...) async throws {
        _ = try await runTool(tmux, ["-L", server, "send-keys", "-t", name] + keys)
    }

    /// Polls the screen until `condition` holds; throws with the last screen after `timeout`.
    @discardableResult
    func waitForScreen(timeout: Duration = .seconds(10), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = try await screen()
            if condition(text) { return text }
            guard ContinuousClock.now < deadline else {
                throw DaemonProcessError(message: "the screen never showed what was awaited:\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Whether the session is gone: its only program ended.
    func hasEnded() async throws -> Bool {
        try await runTool(tmux, ["-L", server, "has-session", "-t", name]).status != 0
    }

    func kill() {
        _ = try? Process.run(URL(fileURLWithPath: tmux), arguments: ["-L", server, "kill-server"])
    }
}
