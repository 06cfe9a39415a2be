import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl providers`: the configured providers and, with `--check`, whether each one answers.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List the configured providers (never their credentials).",
        discussion: """
            With --check the daemon sends each provider one cheap authenticated request (its model list, 5 s limit) \
            and the exit status is that of the first failing provider (4 credentials, 6 timeout, 3 other provider errors).
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Flag(name: .long, help: "Probe every provider and show its status and latency.") var check = false
    @Flag(name: .long, help: "Print the raw result as JSON.") var json = false

    func run() async throws {
        let result: ProvidersListResult
        do {
            result = try await NeuroLinkClient.withConnection(socketPath: connection.socket) {
                try await $0.providers(check: check)
            }
        } catch {
            throw NLExit.report(error)
        }
        if json {
            try Terminal.standardOutput(try IntrospectionOutput.json(result) + "\n")
        } else {
            try Terminal.standardOutput(ProvidersView.render(result, checked: check) + "\n")
        }
        // Details go to stderr so the table stays parseable; the first failure picks the exit status.
        let failures = result.providers.compactMap { provider in
            provider.check.flatMap { $0.ok ? nil : $0.error }.map { (provider.name, $0) }
        }.filter { $0.1.type != ProviderProblem.unsupportedType }
        for (name, problem) in failures {
            try Terminal.standardError("nlctl: \(name): \(problem.type): \(problem.message)")
        }
        if let (_, first) = failures.first { throw ExitCode(IntrospectionOutput.exitCode(first)) }
    }
}

/// The `nlctl providers` table.
enum ProvidersView {
    static func render(_ result: ProvidersListResult, checked: Bool) -> String {
        guard !result.providers.isEmpty else {
            return
                "no provider configured: set OPENAI_API_KEY or NEUROLINK_OPENAI_COMPATIBLE_BASE_URL, or write a config file"
        }
        var header = ["NAME", "TYPE", "HOST", "CREDENTIALS", "DEFAULT-MODEL"]
        if checked { header += ["STATUS", "LATENCY"] }
        let rows = result.providers.map { provider in
            var row = [
                provider.name, provider.preset.map { "\(provider.type) (\($0))" } ?? provider.type, provider.host,
                credentials(provider), provider.defaultModel ?? "-",
            ]
            if checked { row += status(provider.check) }
            return row
        }
        return StatusView.table([header] + rows).joined(separator: "\n")
    }

    static func credentials(_ provider: ProviderInfo) -> String {
        if provider.hasCredentials { return "\(provider.credentialSource) (found)" }
        return provider.credentialSource == "none" ? "none" : "\(provider.credentialSource) (MISSING)"
    }

    /// STATUS and LATENCY cells.
    static func status(_ check: ProviderCheck?) -> [String] {
        guard let check else { return ["-", "-"] }
        let latency = check.latencyMs > 0 ? "\(Int(check.latencyMs.rounded())) ms" : "-"
        if check.ok { return ["ok", latency] }
        guard let error = check.error else { return ["FAILED", latency] }
        if error.type == ProviderProblem.unsupportedType { return ["unchecked (no listing endpoint)", "-"] }
        return ["FAILED (\(check.status.map { "HTTP \($0), " } ?? "")\(error.type))", latency]
    }
}

/// Output helpers shared by `providers` and `models`.
enum IntrospectionOutput {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The exit status for a per-provider problem, as if it had been the request's error.
    static func exitCode(_ problem: ProviderProblem) -> Int32 {
        NLExit.code(for: RPCError(ErrorType(rawValue: problem.type), problem.message))
    }
}
