import ArgumentParser
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl models`: what the providers offer, straight from their listing endpoints.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models the providers offer.",
        discussion: """
            Without --provider every provider with a model-listing endpoint is asked; providers that fail are reported \
            on stderr and the exit status is that of the first failure. A named provider without a listing endpoint exits 1.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .long, help: "A configured provider name or alias (default: every provider).") var provider: String?
    @Flag(name: .long, help: "Print the raw result as JSON.") var json = false

    func validate() throws {
        if let provider, provider.isEmpty { throw ValidationError("--provider must not be empty") }
    }

    func run() async throws {
        let result: ModelsListResult
        do {
            result = try await NeuroLinkClient.withConnection(socketPath: connection.socket) {
                try await $0.models(provider: provider)
            }
        } catch {
            throw NLExit.report(error)
        }
        if json {
            try Terminal.standardOutput(try IntrospectionOutput.json(result) + "\n")
        } else if !result.models.isEmpty {
            let rows = result.models.map { [$0.provider, $0.id, $0.ownedBy ?? $0.displayName ?? ""] }
            try Terminal.standardOutput(
                StatusView.table([["PROVIDER", "MODEL", "OWNER/NAME"]] + rows).joined(separator: "\n") + "\n"
            )
        }
        if let unsupported = result.unsupported, !unsupported.isEmpty {
            try Terminal.standardError("nlctl: no model-listing endpoint: \(unsupported.joined(separator: ", "))")
        }
        for failure in result.failed ?? [] {
            try Terminal.standardError("nlctl: \(failure.provider): \(failure.error.type): \(failure.error.message)")
        }
        if let first = result.failed?.first { throw ExitCode(IntrospectionOutput.exitCode(first.error)) }
        // Asked for one provider and it cannot list: nothing was answered.
        if provider != nil, result.unsupported?.isEmpty == false { throw ExitCode(NLExit.failure) }
    }
}
