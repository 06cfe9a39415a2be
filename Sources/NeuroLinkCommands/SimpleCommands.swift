import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 when the daemon answers ok, non-zero otherwise."
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await Self.check(socket: connection.socket)
    }

    /// Prints the daemon's health; throws (exit status non-zero) unless it is `ok`. ``Shortcut`` calls
    /// this directly.
    static func check(socket: String?) async throws {
        do {
            let health = try await NeuroLinkClient.withConnection(socketPath: socket) { try await $0.health() }
            try Terminal.standardOutput(health.status + "\n")
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
    @OptionGroup var watching: WatchOptions

    func run() async throws {
        try await watching.run { clear in try await show(clear: clear) }
    }

    private func show(clear: Bool) async throws {
        let status = try await WatchOptions.fetchStatus(connection)
        if clear { try WatchOptions.clearScreen() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Terminal.standardOutput(String(decoding: try encoder.encode(status), as: UTF8.self) + "\n")
        } else {
            try Terminal.standardOutput(StatusView(status).render() + "\n")
        }
    }
}

/// `nlctl metrics`: the daemon's metrics in the Prometheus text format, as `/metrics` serves them.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the daemon's metrics in the Prometheus text format."
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let text: String
        do {
            text = try await NeuroLinkClient.withConnection(socketPath: connection.socket) { try await $0.metrics() }
        } catch {
            throw NLExit.report(error)
        }
        do { try Terminal.standardOutput(text) } catch { throw NLExit.report(error) }
    }
}

/// `nlctl alerts`: every alert rule, whether it fires, its last value and threshold.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Show the alert rules and which of them fire."
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Print the rules as JSON.") var json = false

    func run() async throws {
        let alerts: [AlertStatus]
        do {
            alerts = try await NeuroLinkClient.withConnection(socketPath: connection.socket) { try await $0.alerts() }
        } catch {
            throw NLExit.report(error)
        }
        do {
            if json {
                try Terminal.standardOutput(try AnalyticsView.json(alerts) + "\n")
            } else {
                try Terminal.standardOutput(StatusView.alerts(alerts, all: true))
            }
        } catch let closed as OutputClosed {
            throw NLExit.report(closed)
        }
    }
}
