import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl tools list | call`: the tools the daemon runs itself.
struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "List the daemon's tools, or run one directly.",
        subcommands: [List.self, Call.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Name, source and description of every tool."
        )
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print the tools as JSON, with their argument schemas.") var json = false

        func run() async throws {
            let tools = try await CacheCommand.call(connection) { try await $0.toolsList() }
            if json {
                try CacheCommand.print(try AnalyticsView.json(ToolsListResult(tools: tools)) + "\n")
                return
            }
            let rows = tools.map { [$0.name, $0.source, $0.description] }
            let text =
                tools.isEmpty
                ? "no tools\n"
                : StatusView.table([["name", "source", "description"]] + rows)
                    .joined(separator: "\n") + "\n"
            try CacheCommand.print(text)
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "call",
            abstract: "Run one tool with a JSON object of arguments; its output on stdout (exit 1 when it failed)."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The tool's name (nlctl tools list).") var name: String
        @Argument(help: "The arguments as a JSON object, e.g. '{\"expression\": \"2+2\"}'.") var arguments = "{}"

        func run() async throws {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(arguments.utf8)),
                value.objectValue != nil
            else {
                throw ValidationError("the arguments must be a JSON object, e.g. '{\"timeZone\": \"Europe/Paris\"}'")
            }
            let request = ToolCallRequest(name: name, arguments: value)
            let result = try await CacheCommand.call(connection) { try await $0.toolsCall(request) }
            if let error = result.error {
                Terminal.diagnostic("nlctl: \(name) failed: \(error)")
                throw ExitCode(NLExit.failure)
            }
            try CacheCommand.print((result.content ?? "") + "\n")
        }
    }
}
