import ArgumentParser
import NeuroLinkClient
import NeuroLinkProtocol

/// One chat: reads lines, streams the answers to prompts, runs the `/` commands.
struct ChatLoop {
    let client: NeuroLinkClient
    let input: ChatInput
    let interrupts: ChatInterrupts
    var state: ChatState
    /// The exit status of the last answer that failed (a piped chat ends with it).
    private var lastFailure = NLExit.ok

    init(client: NeuroLinkClient, input: ChatInput, interrupts: ChatInterrupts, state: ChatState) {
        self.client = client
        self.input = input
        self.interrupts = interrupts
        self.state = state
    }

    /// Runs until the end of input or `/exit`; the exit status.
    mutating func run() async throws -> Int32 {
        while true {
            switch await interrupts.whileReading({ await input.next() }) {
            case .end:
                if input.isInteractive { try Terminal.standardOutput("\n") }
                return exitStatus
            case .interrupted:
                throw ExitCode(NLExit.interrupted)
            case .line(let text):
                guard try await handle(ChatLine(text)) else { return exitStatus }
            }
        }
    }

    /// A piped chat reports the last failure; at a terminal the user saw every error already.
    private var exitStatus: Int32 { input.isInteractive ? NLExit.ok : lastFailure }

    /// Acts on one line; `false` when the chat ends.
    private mutating func handle(_ line: ChatLine) async throws -> Bool {
        switch line {
        case .blank: break
        case .exit: return false
        case .prompt(let text): try await answer(text)
        case .clear: try await clear()
        case .stats: try say(state.stats)
        case .help: try say(ChatLine.helpText)
        case .usage(let usage): try say("usage: \(usage)")
        case .unknown(let name): try say("unknown command \(name)\n" + ChatLine.helpText)
        case .model, .provider, .system, .tools: try say(state.apply(line) ?? "")
        }
        return true
    }

    /// Streams the answer to `prompt`; Ctrl-C cancels it (the daemon stops the upstream request).
    private mutating func answer(_ prompt: String) async throws {
        let request = state.request(prompt)
        let client = self.client
        let answer = Task { try await ChatAnswer.stream(request, client: client) }
        let outcome = await interrupts.whileAnswering(cancel: { answer.cancel() }) { await answer.result }
        do {
            state.last = try outcome.get()
        } catch is CancellationError {
            Terminal.diagnostic("[interrupted]")
            if !input.isInteractive { throw ExitCode(NLExit.interrupted) }
        } catch let error as RPCError {
            lastFailure = NLExit.report(error).rawValue
        }
    }

    private mutating func clear() async throws {
        do {
            let cleared = try await client.memoryClear(state.session)
            try say(cleared ? "forgot the conversation of session \(state.session)" : "nothing to forget yet")
        } catch let error as RPCError {
            _ = NLExit.report(error)
        }
    }

    /// Command output goes to stderr: piped, standard output carries the answers alone.
    private func say(_ text: String) throws(OutputClosed) {
        try Terminal.standardError(text)
    }
}

/// Prints one answer as it streams.
enum ChatAnswer {
    static func stream(_ request: StreamRequest, client: NeuroLinkClient) async throws -> StreamResult? {
        var printer = ChunkPrinter(format: .text)
        var result: StreamResult?
        do {
            for try await event in client.streamEvents(request) {
                switch event {
                case .chunk(let chunk): try printer.print(chunk, debug: false)
                case .result(let final): result = final
                }
            }
            try Task.checkCancellation()
        } catch {
            // The answer's last line must end before the error or the next prompt.
            try? printer.end()
            throw error
        }
        try printer.end()
        // Every answer ends with a newline, even an empty one: one answer per line when piped.
        if !printer.printedText { try Terminal.standardOutput("\n") }
        return result
    }
}
