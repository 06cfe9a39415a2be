import ArgumentParser
import Foundation
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl limits`: the rate-limit part of `status` on its own, as a table or JSON.
struct LimitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Show rate limits, in-flight limits, providers' own limits and the admission queue.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Print the limits section of the status as JSON.") var json = false
    @Flag(name: .long, help: "Refresh the view until interrupted.") var watch = false
    @Option(name: .long, help: "Refresh interval of --watch, e.g. 1s or 500ms.") var interval = "2s"

    func run() async throws {
        guard watch else { return try await show(clear: false) }
        guard let ms = DurationParsing.milliseconds(interval) else {
            throw ValidationError("--interval must be a duration such as 2s or 500ms")
        }
        let period = Duration.milliseconds(ms)
        while true {
            try await show(clear: true)
            try await Task.sleep(for: period)
        }
    }

    private func show(clear: Bool) async throws {
        let status: StatusResult
        do {
            status = try await NeuroLinkClient.withConnection(socketPath: connection.socket) { try await $0.status() }
        } catch {
            throw NLExit.report(error)
        }
        guard let limits = status.limits else {
            Terminal.standardError("nlctl: the daemon (\(status.version)) does not report limits; it predates them")
            throw ExitCode(NLExit.failure)
        }
        // Home the cursor and clear the screen so each refresh replaces the last one.
        if clear { Terminal.standardOutput("\u{1B}[H\u{1B}[2J") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(limits), as: UTF8.self))
        } else {
            print(LimitsView(limits).render())
        }
    }
}
