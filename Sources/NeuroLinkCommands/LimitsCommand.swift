import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl limits`: the rate-limit part of `status` on its own, as a table or JSON.
struct LimitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: "Show rate limits, in-flight limits, providers' own limits and the admission queue."
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Print the limits section of the status as JSON.") var json = false
    @OptionGroup var watching: WatchOptions

    func run() async throws {
        try await watching.run { clear in try await show(clear: clear) }
    }

    private func show(clear: Bool) async throws {
        let status = try await WatchOptions.fetchStatus(connection)
        guard let limits = status.limits else {
            Terminal.diagnostic("nlctl: the daemon (\(status.version)) does not report limits; it predates them")
            throw ExitCode(NLExit.failure)
        }
        if clear { try WatchOptions.clearScreen() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try Terminal.standardOutput(String(decoding: try encoder.encode(limits), as: UTF8.self) + "\n")
        } else {
            try Terminal.standardOutput(LimitsView(limits).render() + "\n")
        }
    }
}
