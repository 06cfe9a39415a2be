import ArgumentParser
import Foundation
import NeuroLinkClient
import NeuroLinkProtocol

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Exit 0 when the daemon answers ok, non-zero otherwise.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        do {
            let health = try await NeuroLinkClient.withConnection(socketPath: connection.socket) { try await $0.health() }
            print(health.status)
            if health.status != "ok" { throw ExitCode(NLExit.failure) }
        } catch {
            throw NLExit.report(error)
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's state.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Print the raw status as JSON.") var json = false
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
        // Home the cursor and clear the screen so each refresh replaces the last one.
        if clear { Terminal.standardOutput("\u{1B}[H\u{1B}[2J") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(StatusView(status).render())
        }
    }
}
