import ArgumentParser
import NeuroLinkClient
import NeuroLinkProtocol

/// `--watch` and `--interval` of the commands that show the daemon's state.
struct WatchOptions: ParsableArguments {
    @Flag(name: .long, help: "Refresh the view until interrupted.") var watch = false
    @Option(name: .long, help: "Refresh interval of --watch, e.g. 1s or 500ms.") var interval = "2s"

    /// Calls `show` once, or with `--watch` again every interval until interrupted; `show` gets
    /// whether to clear the screen first.
    func run(_ show: (_ clear: Bool) async throws -> Void) async throws {
        guard watch else { return try await show(false) }
        guard let ms = DurationParsing.milliseconds(interval) else {
            throw ValidationError("--interval must be a duration such as 2s or 500ms")
        }
        while true {
            try await show(true)
            try await Task.sleep(for: .milliseconds(ms))
        }
    }

    /// The daemon's status, with connection failures reported the way every command reports them.
    static func fetchStatus(_ connection: ConnectionOptions) async throws -> StatusResult {
        do {
            return try await NeuroLinkClient.withConnection(socketPath: connection.socket) { try await $0.status() }
        } catch {
            throw NLExit.report(error)
        }
    }

    /// Homes the cursor and clears the screen so each refresh replaces the last one.
    static func clearScreen() throws(OutputClosed) { try Terminal.standardOutput("\u{1B}[H\u{1B}[2J") }
}
