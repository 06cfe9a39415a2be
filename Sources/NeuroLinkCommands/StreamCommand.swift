import ArgumentParser
import Foundation
import NeuroLinkClient
import NeuroLinkProtocol

struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream", abstract: "Stream an answer, printing text as it arrives. Ctrl-C cancels (exit 130).")

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
                            case .chunk(let chunk): printer.print(chunk, debug: debug)
                            case .result(let final): result = final
                            }
                        }
                        // Cancelled by Ctrl-C: the interrupt branch owns the terminal's last line.
                        try Task.checkCancellation()
                        printer.end()
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
                Terminal.standardOutput(format == .text && Terminal.stdoutIsTerminal ? "\n" : "")
                Terminal.standardError("nlctl: interrupted; the request was cancelled")
                throw ExitCode(NLExit.interrupted)
            case .finished(let result):
                if let result {
                    if format == .json { Terminal.standardOutput(JSONLines.line(JSONLines.Tagged(type: "result", result: result))) }
                    if debug { DebugOutput.print(result) }
                }
            }
        } catch let error as RPCError where format == .json {
            Terminal.standardOutput(JSONLines.line(JSONLines.Tagged<RPCError>(type: "error", error: error)))
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
    private var printedText = false

    init(format: OutputFormat) { self.format = format }

    mutating func print(_ chunk: StreamChunk, debug: Bool) {
        switch format {
        case .json:
            Terminal.standardOutput(JSONLines.line(chunk))
        case .text:
            switch chunk.type {
            case .text:
                guard let content = chunk.content, !content.isEmpty else { return }
                Terminal.standardOutput(content)
                printedText = true
                endsWithNewline = content.hasSuffix("\n")
            case .reasoning where debug:
                if let content = chunk.content { FileHandle.standardError.write(Data(content.utf8)) }
            default:
                break
            }
        }
    }

    /// Ends the text with a newline so the shell prompt starts on its own line.
    func end() {
        if format == .text, printedText, !endsWithNewline { Terminal.standardOutput("\n") }
    }
}
