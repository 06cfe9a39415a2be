import ArgumentParser
import NeuroLinkClient
import NeuroLinkProtocol

/// `nlctl batch FILE`: many prompts over one connection, several at once, one JSON result per
/// line in input order.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run every prompt of a file, several at once; print one JSON result per line, in input order.",
        discussion: """
            Each line of FILE is a prompt, or (when it starts with '{') a JSON object of stream params \
            ({"input":{"text":"…"},"model":"…"}); blank lines are skipped. The request options apply to \
            the plain prompts. Each output line is {"index":i,"ok":true,"result":{…}} or \
            {"index":i,"ok":false,"error":{"code","message","type"}}, i counting the non-blank lines from 0. \
            A failed item never stops the batch: the exit status is then 8. Ctrl-C cancels the requests \
            in flight (exit 130).
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The prompts, one per line (or JSON stream params); '-' reads standard input.") var file: String
    @Option(name: .long, help: "Most requests in flight at once, 1 to 256.") var concurrency = 4
    @Option(name: [.short, .long], help: "Write the results to this file instead of standard output.")
    var output: String?
    @Option(name: .long, help: "Rerun only the items this earlier output of nlctl batch marks failed.")
    var retryFailed: String?
    @Flag(name: [.short, .long], help: "No progress on stderr: only the summary line at the end.") var quiet = false
    @OptionGroup var defaults: RequestDefaults

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 256") }
    }

    func run() async throws {
        // Read before the output is created: it may be the same file.
        let only = try retryFailed.map(BatchRetry.failedIndexes(in:))
        var source = try BatchSource(path: file, template: try defaults.request(prompt: ""), only: only)
        var progress = BatchProgress(quiet: quiet, total: quiet ? nil : only?.count ?? BatchSource.count(file))
        let sink = try BatchSink(path: output)
        defer { sink.close() }
        var tally = BatchTally()
        let interrupts = Interrupts.stream()
        do {
            try progress.update(tally)
            let completed = try await NeuroLinkClient.withConnection(socketPath: connection.socket) { client in
                try await BatchRunner(client: client, concurrency: concurrency).run(&source, interrupts: interrupts) {
                    if sink.isTerminal { try progress.stepAside() }
                    try sink.write(BatchRecord($0))
                    tally.count($0)
                    try progress.update(tally)
                }
            }
            try progress.finish(tally, interrupted: !completed)
            if !completed { throw ExitCode(NLExit.interrupted) }
            if tally.failed > 0 { throw ExitCode(NLExit.itemsFailed) }
        } catch {
            throw NLExit.report(error)
        }
    }
}
