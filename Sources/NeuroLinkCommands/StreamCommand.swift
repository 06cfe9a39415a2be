import ArgumentParser
import FoundationEssentials
import NeuroLinkClient
import NeuroLinkProtocol

struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream an answer, printing text as it arrives. Ctrl-C cancels (exit 130)."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RequestOptions

    private enum Outcome: Sendable {
        case finished(StreamResult?)
        case interrupted
    }

    func run() async throws {
        let request = try options.makeRequest()
        let format = options.format
        let debug = options.debug
        let interrupts = Interrupts.stream()
        do {
            let outcome = try await NeuroLinkClient.withConnection(socketPath: connection.socket) { client in
                try await withThrowingTaskGroup(of: Outcome.self) { group in
                    group.addTask {
                        var printer = ChunkPrinter(format: format)
                        var result: StreamResult?
                        for try await event in client.streamEvents(request) {
                            switch event {
                            // A closed stdout or stderr throws here: the stream is dropped, which
                            // sends `cancel`, and the connection closes, so the upstream stops.
                            case .chunk(let chunk): try printer.print(chunk, debug: debug)
                            case .result(let final): result = final
                            }
                        }
                        // Cancelled by Ctrl-C: the interrupt branch owns the terminal's last line.
                        try Task.checkCancellation()
                        try printer.end()
                        return .finished(result)
                    }
                    group.addTask {
                        for await _ in interrupts { return .interrupted }
                        return .finished(nil)
                    }
                    defer { group.cancelAll() }
                    guard let first = try await group.next() else { return Outcome.finished(nil) }
                    return first
                }
            }
            switch outcome {
            case .interrupted:
                if format == .text && Terminal.stdoutIsTerminal { try? Terminal.standardOutput("\n") }
                Terminal.diagnostic("nlctl: interrupted; the request was cancelled")
                throw ExitCode(NLExit.interrupted)
            case .finished(let result):
                if let result {
                    if format == .json {
                        try Terminal.standardOutput(JSONLines.line(JSONLines.Tagged(type: "result", result: result)))
                    }
                    if debug { try DebugOutput.print(result) }
                    if let analytics = result.analytics { try Terminal.standardError(AnalyticsSummary.line(analytics)) }
                }
            }
        } catch let error as RPCError where debug && error.data.route != nil {
            Terminal.diagnostic(DebugOutput.route(error.data.route).trimmed(while: \.isNewline))
            if format == .json {
                try Terminal.standardOutput(JSONLines.line(JSONLines.Tagged<RPCError>(type: "error", error: error)))
            }
            throw NLExit.report(error)
        } catch let error as RPCError where format == .json {
            try Terminal.standardOutput(JSONLines.line(JSONLines.Tagged<RPCError>(type: "error", error: error)))
            throw NLExit.report(error)
        } catch {
            throw NLExit.report(error)
        }
    }
}

/// Prints chunks as they arrive: text to stdout unbuffered, or one JSON object per line.
struct ChunkPrinter {
    let format: OutputFormat
    private var endsWithNewline = true
    private(set) var printedText = false

    init(format: OutputFormat) { self.format = format }

    mutating func print(_ chunk: StreamChunk, debug: Bool) throws(OutputClosed) {
        switch format {
        case .json:
            try Terminal.standardOutput(JSONLines.line(chunk))
        case .text:
            switch chunk.type {
            case .text:
                guard let content = chunk.content, !content.isEmpty else { return }
                try Terminal.standardOutput(content)
                printedText = true
                endsWithNewline = content.hasSuffix("\n")
            case .reasoning where debug:
                if let content = chunk.content { try Terminal.standardErrorText(content) }
            case .analytics where debug:
                if let figures = chunk.analytics {
                    try Terminal.standardError((endsWithNewline ? "" : "\n") + AnalyticsSummary.live(figures))
                }
            case .evaluation:
                if let line = EvaluationSummary.line(chunk.evaluation, error: chunk.evaluationError) {
                    try Terminal.standardError((endsWithNewline ? "" : "\n") + line)
                }
            case .toolCall:
                if let call = chunk.toolCall {
                    try Terminal.standardError((endsWithNewline ? "" : "\n") + ToolText.using(call))
                    endsWithNewline = true
                }
            case .toolResult:
                if let result = chunk.toolResult, debug || result.error != nil {
                    try Terminal.standardError(ToolText.result(result))
                }
            case .notice:
                // Retries, failovers and queueing go to stderr so piped output stays the answer alone.
                if let notice = chunk.notice {
                    let lead = endsWithNewline ? "" : "\n"
                    try Terminal.standardError(lead + NoticeText.describe(notice))
                }
            default:
                break
            }
        }
    }

    /// Ends the text with a newline so the shell prompt starts on its own line.
    func end() throws(OutputClosed) {
        if format == .text, printedText, !endsWithNewline { try Terminal.standardOutput("\n") }
    }
}

/// The lines `nlctl stream` prints on stderr while the daemon runs tools: a tool emoji on a
/// terminal, plain text otherwise (a log or a pipe).
enum ToolText {
    static func using(_ call: ToolCall) -> String {
        (Terminal.stderrIsTerminal ? "🔧 " : "[neurolink] ") + "Using tool: \(call.name)"
    }

    static func result(_ result: ToolResult) -> String {
        let lead = Terminal.stderrIsTerminal ? "   " : "[neurolink] "
        let took = String(cFormat: "%.0f ms", result.durationMs)
        if let error = result.error { return lead + "\(result.name) failed after \(took): \(error)" }
        return lead + "\(result.name) answered in \(took) (\(result.content?.utf8.count ?? 0) bytes)"
    }
}

/// One line for a `notice` chunk, as `nlctl stream` prints it on stderr.
enum NoticeText {
    static func describe(_ notice: Notice) -> String {
        let reason = notice.reason.map { " (\($0))" } ?? ""
        let wait = notice.waitMs.flatMap { $0 > 0 ? " in \($0) ms" : nil } ?? ""
        switch notice.kind {
        case Notice.toolLoop:
            return "[neurolink] the tool loop stopped at --max-steps; the model's last tool calls were not run"
        case Notice.retry:
            return
                "[neurolink] retrying \(notice.from ?? "the provider")\(reason): attempt \(notice.attempt.map(String.init) ?? "?")\(wait)"
        case Notice.failover:
            return "[neurolink] failing over from \(notice.from ?? "?") to \(notice.to ?? "?")\(reason)"
        case Notice.queued:
            let position = notice.position.map { " at position \($0)" } ?? ""
            let estimate = notice.waitMs.map { ", about \($0) ms" } ?? ""
            return "[neurolink] queued\(position)\(estimate)"
        default:
            return "[neurolink] \(notice.kind)\(reason)"
        }
    }
}
