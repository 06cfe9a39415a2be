import ArgumentParser
import NeuroLinkClient
import NeuroLinkProtocol

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a whole answer, then print it."
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: RequestOptions

    func run() async throws {
        let request = try options.makeRequest()
        do {
            let result = try await NeuroLinkClient.withConnection(socketPath: connection.socket) {
                try await $0.generate(request)
            }
            switch options.format {
            case .json: try Terminal.standardOutput(JSONLines.line(JSONLines.Tagged(type: "result", result: result)))
            case .text: try Terminal.standardOutput(result.text.hasSuffix("\n") ? result.text : result.text + "\n")
            }
            if options.debug { try DebugOutput.print(result) }
            if let analytics = result.analytics { try Terminal.standardError(AnalyticsSummary.line(analytics)) }
            if let line = EvaluationSummary.line(result.evaluation, error: result.evaluationError) {
                try Terminal.standardError(line)
            }
        } catch let error as RPCError where options.format == .json {
            try Terminal.standardOutput(JSONLines.line(JSONLines.Tagged<RPCError>(type: "error", error: error)))
            throw NLExit.report(error)
        } catch {
            throw NLExit.report(error)
        }
    }
}
