import ArgumentParser
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl chat`: a conversation the daemon remembers, one prompt per line.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Talk with a model, one line at a time; the daemon remembers the conversation.",
        discussion: """
            On a terminal: line editing, the up and down arrows recall earlier lines, Ctrl-C stops an \
            answer (at the prompt it empties the line), Ctrl-D or /exit leaves. Piped: one prompt per line, \
            each answer on standard output followed by a newline, until the end of input; the exit status is \
            that of the last answer that failed (0 when none did). Commands: /model NAME, /provider NAME, \
            /system TEXT, /clear, /tools on|off, /stats, /help, /exit.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .long, help: "The session the daemon remembers the conversation under (default: a new one).")
    var session: String?
    @OptionGroup var defaults: RequestDefaults

    func run() async throws {
        let session = session ?? ChatState.newSession()
        let state = ChatState(session: session, template: try defaults.request(prompt: ""))
        guard let wake = WakePipe.make() else { throw NLExit.report(ChatError.noDescriptors) }
        let interrupts = ChatInterrupts(wake: wake)
        let input = ChatInput.standard(wake: wake)
        let status: Int32
        do {
            status = try await NeuroLinkClient.withConnection(socketPath: connection.socket) { client in
                try Terminal.standardError(Self.banner(session: session, interactive: input.isInteractive))
                var chat = ChatLoop(client: client, input: input, interrupts: interrupts, state: state)
                return try await chat.run()
            }
        } catch {
            throw NLExit.report(error)
        }
        if status != NLExit.ok { throw ExitCode(status) }
    }

    static func banner(session: String, interactive: Bool) -> String {
        guard interactive else { return "nlctl chat: session \(session)" }
        return "nlctl chat · session \(session) · /help for commands · Ctrl-D or /exit leaves"
    }

    enum ChatError: Error, CustomStringConvertible {
        case noDescriptors
        var description: String { "no file descriptor left for a pipe" }
    }
}
