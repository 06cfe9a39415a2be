import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl memory list | show SESSION | clear SESSION`: conversation memory's sessions of the
/// caller's tenant.
struct MemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "List, show or forget the conversation sessions the daemon remembers.",
        subcommands: [List.self, Show.self, Clear.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Every session of your tenant (root: every tenant's)."
        )
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print the sessions as JSON.") var json = false

        func run() async throws {
            let sessions = try await CacheCommand.call(connection) { try await $0.memoryList() }
            if json {
                try CacheCommand.print(try AnalyticsView.json(MemoryListResult(sessions: sessions)) + "\n")
                return
            }
            let rows = sessions.map {
                [$0.sessionId, $0.tenant, "\($0.messages)", "\($0.bytes)", MemoryCommand.time($0.updatedAtMs)]
            }
            let text =
                sessions.isEmpty
                ? "no sessions\n"
                : StatusView.table([["session", "tenant", "messages", "bytes", "last used"]] + rows)
                    .joined(separator: "\n") + "\n"
            try CacheCommand.print(text)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "The messages of one session, oldest first."
        )
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The session id (context.sessionId).") var session: String
        @Flag(help: "Print the session as JSON.") var json = false

        func run() async throws {
            let shown = try await CacheCommand.call(connection) { try await $0.memoryShow(session) }
            if json {
                try CacheCommand.print(try AnalyticsView.json(shown) + "\n")
                return
            }
            let text = shown.messages.map { "[\($0.role)] \($0.content)" }.joined(separator: "\n")
            try CacheCommand.print(text + "\n")
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear", abstract: "Forget one session.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The session id (context.sessionId).") var session: String

        func run() async throws {
            let cleared = try await CacheCommand.call(connection) { try await $0.memoryClear(session) }
            try CacheCommand.print(cleared ? "forgot session \(session)\n" : "no session \(session)\n")
        }
    }

    /// A Unix-milliseconds time in UTC, to the second.
    static func time(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(.iso8601)
    }
}
